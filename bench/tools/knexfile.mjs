import { knexConfig } from './knex-source.mjs';

/** The knexfile the knex CLI loads for the whole-process measure; the bench passes its target in the environment. */
export default knexConfig({
  dialect: process.env.BENCH_DIALECT ?? 'postgres',
  url: process.env.BENCH_URL,
  file: process.env.BENCH_FILE,
  dir: process.env.BENCH_DIR,
});
