-- (userId, seq) already serves "a user's newest first": seq follows creation. One index less per insert.
-- DropIndex
DROP INDEX "Notification_user_newest_idx";
