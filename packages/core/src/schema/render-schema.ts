import { renderMermaid } from './render-mermaid.js';
import { renderSql } from './render-sql.js';
import type { SchemaModel } from './schema-model.js';

export type SchemaFormat = 'sql' | 'json' | 'mermaid';

export const SCHEMA_FORMATS: readonly SchemaFormat[] = ['sql', 'json', 'mermaid'];

/** The model in one of the dump's formats, ending with a newline. */
export function renderSchema(model: SchemaModel, format: SchemaFormat): string {
  if (format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
  if (format === 'mermaid') return renderMermaid(model);
  return renderSql(model);
}
