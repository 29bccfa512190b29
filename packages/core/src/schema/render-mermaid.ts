import type { Column, SchemaModel, Table } from './schema-model.js';

/**
 * An ER diagram in Mermaid's `erDiagram` syntax, which GitHub renders in Markdown: one entity per
 * table with its columns (PK, FK, UK marked), one relation per foreign key, labelled with the
 * constraint (or its columns). Names outside the default schema are prefixed with their schema.
 */
export function renderMermaid(model: SchemaModel): string {
  const entity = (schema: string, name: string) => word(schema === model.defaultSchema ? name : `${schema}__${name}`);
  const lines = ['erDiagram'];
  for (const table of model.tables) {
    lines.push(`  ${entity(table.schema, table.name)} {`);
    for (const column of table.columns) lines.push(`    ${typeWord(column)} ${word(column.name)}${keyMarks(table, column)}`);
    lines.push('  }');
  }
  for (const table of model.tables) {
    for (const key of table.foreignKeys) {
      const child = table.columns.filter((column) => key.columns.includes(column.name));
      const optional = child.some((column) => column.nullable);
      const oneToOne =
        sameColumns(table.primaryKey?.columns, key.columns) || table.uniques.some((u) => sameColumns(u.columns, key.columns));
      // parent ||--o{ child: each child row has one parent (zero or one when the key is nullable).
      const parentSide = optional ? '|o' : '||';
      const childSide = oneToOne ? 'o|' : 'o{';
      const label = key.name ?? key.columns.join(', ');
      lines.push(
        `  ${entity(key.references.schema, key.references.table)} ${parentSide}--${childSide} ${entity(table.schema, table.name)} : "${label.replaceAll('"', "'")}"`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function keyMarks(table: Table, column: Column): string {
  const marks = [];
  if (table.primaryKey?.columns.includes(column.name)) marks.push('PK');
  if (table.foreignKeys.some((key) => key.columns.includes(column.name))) marks.push('FK');
  if (table.uniques.some((unique) => unique.columns.includes(column.name))) marks.push('UK');
  return marks.length > 0 ? ` ${marks.join(', ')}` : '';
}

/** Mermaid's attribute type is one word: the type's own name, `[]` spelled out. */
function typeWord(column: Column): string {
  const base = word(column.typeRef.name) || 'any';
  return column.typeRef.arrayDimensions > 0 ? `${base}_array` : base;
}

/** Mermaid names allow letters, digits, `_` and `-`; anything else becomes `_`. */
function word(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
}

function sameColumns(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((column) => b.includes(column));
}
