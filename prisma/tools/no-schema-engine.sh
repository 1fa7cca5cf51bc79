#!/bin/sh
# Prisma 7's CLI wants a native schema engine for migrate/db/validate/format and would download
# it; these machines cannot download it. `prisma generate` works without it (bundled WASM).
# Migrations are applied by prisma/migrate.js instead, compatible with `prisma migrate deploy`.
echo "The native Prisma schema engine is not available on this machine: use 'npm run migrate' (prisma/migrate.js)." >&2
exit 1
