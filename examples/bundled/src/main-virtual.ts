/// <reference types="@strata/core/virtual" />
// The same server with no generated file: the esbuild plugin of @strata/core/bundler turns the
// migrations directory into this module at build time.
import migrations from 'virtual:strata-migrations';
import { start } from './server.js';

start(migrations).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
