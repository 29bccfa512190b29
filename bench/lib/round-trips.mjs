import pg from 'pg';

/**
 * Counts queries sent by every pg.Client in this process (pools, knex, Kysely and node-pg-migrate
 * all end in Client.prototype.query), so the no-op check can be stated in database round trips.
 */
let count = 0;
let installed = false;

export function countRoundTrips() {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    count += 1;
    return original.apply(this, args);
  };
}

export const roundTrips = () => count;
