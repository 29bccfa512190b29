import type { SchemaModel } from '../../schema/schema-model.js';
import { plural } from '../format.js';

/** `3 tables, 1 view, 2 indexes`: what a written dump or types file holds. */
export function modelSummary(model: SchemaModel): string {
  const parts = [plural(model.tables.length, 'table')];
  if (model.views.length > 0) parts.push(plural(model.views.length, 'view'));
  if (model.indexes.length > 0) parts.push(plural(model.indexes.length, 'index', 'indexes'));
  return parts.join(', ');
}
