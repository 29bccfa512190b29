export { MigrationsHealthIndicator, type MigrationsPingOptions } from './migrations-health.indicator.js';
