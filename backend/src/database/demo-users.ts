import { Logger } from '@nestjs/common';
import type { Role } from '@clinic/contracts';
import { hashPassword } from '../auth/password';
import type { PrismaService } from './prisma.service';

export const DEMO_USERS: ReadonlyArray<{ email: string; password: string; name: string; role: Role }> = [
  { email: 'admin@clinic.test', password: 'Admin123!', name: 'Alex Admin', role: 'ADMIN' },
  { email: 'nurse@clinic.test', password: 'Nurse123!', name: 'Nora Nurse', role: 'STAFF' },
  { email: 'doctor@clinic.test', password: 'Doctor123!', name: 'Dan Doctor', role: 'STAFF' },
];

/** The demo teams and the demo accounts in each, so that a newcomer sees team orders and sends at work. */
export const DEMO_TEAMS: ReadonlyArray<{ name: string; members: readonly string[] }> = [
  { name: 'Ward A', members: ['nurse@clinic.test', 'doctor@clinic.test'] },
  { name: 'Lab', members: ['doctor@clinic.test'] },
  { name: 'Front desk', members: ['admin@clinic.test', 'nurse@clinic.test'] },
];

/** Creates the demo accounts that do not exist yet; existing accounts are left untouched. */
export async function seedDemoUsers(prisma: PrismaService, logger: Logger): Promise<void> {
  const existing = new Set(
    (await prisma.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } }, select: { email: true } })).map(
      (u) => u.email,
    ),
  );
  const missing = await Promise.all(
    DEMO_USERS.filter((u) => !existing.has(u.email)).map(async ({ password, ...fields }) => ({
      ...fields,
      passwordHash: await hashPassword(password),
    })),
  );
  // Several nodes starting together seed at once: the first insert wins, the others skip.
  if (missing.length) await prisma.user.createMany({ data: missing, skipDuplicates: true });
  // Emails only: a password never reaches a log (the login page lists them in demo mode).
  logger.log(`demo accounts: ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`);
  await seedDemoTeams(prisma, logger);
}

/**
 * Creates the demo teams that do not exist yet, with their demo members. A team that exists is
 * left as it is: whoever changed its members meant to.
 */
async function seedDemoTeams(prisma: PrismaService, logger: Logger): Promise<void> {
  const created = await prisma.team.createManyAndReturn({ data: DEMO_TEAMS.map(({ name }) => ({ name })), skipDuplicates: true });
  if (created.length === 0) return;
  const users = await prisma.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } }, select: { id: true, email: true } });
  const idOf = new Map(users.map((user) => [user.email, user.id]));
  const members = created.flatMap((team) =>
    (DEMO_TEAMS.find((demo) => demo.name === team.name)?.members ?? []).flatMap((email) => (idOf.has(email) ? [{ teamId: team.id, userId: idOf.get(email)! }] : [])),
  );
  await prisma.teamMember.createMany({ data: members, skipDuplicates: true });
  logger.log(`demo teams: ${created.map((team) => team.name).join(', ')}`);
}

/**
 * Creates the first admin of a new deployment (INITIAL_ADMIN_EMAIL / INITIAL_ADMIN_PASSWORD) when
 * there is no admin yet; once one exists it does nothing, so the variables can stay set.
 */
export async function ensureInitialAdmin(prisma: PrismaService, admin: { email: string; password: string }, logger: Logger): Promise<void> {
  if ((await prisma.user.count({ where: { role: 'ADMIN' } })) > 0) return;
  const passwordHash = await hashPassword(admin.password);
  const created = await prisma.user.createMany({ data: [{ email: admin.email, name: 'Administrator', role: 'ADMIN', passwordHash }], skipDuplicates: true });
  if (created.count) logger.log(`created the initial admin ${admin.email}`);
  else logger.warn(`INITIAL_ADMIN_EMAIL ${admin.email} belongs to an existing non-admin user: no admin was created`);
}
