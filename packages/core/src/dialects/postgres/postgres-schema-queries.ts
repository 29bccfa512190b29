/**
 * The catalog queries behind PostgreSQL's schema reader: one per kind of object, each returning
 * every object of that kind at once (nested parts as JSON; columns one row each), so a 300-table
 * schema costs ten round trips, not one per table. Joins rather than per-row subqueries and SQL
 * functions (obj_description() is one): the cost grows with the catalog's size, not with calls.
 * They run with `search_path = pg_catalog`, so every name the server renders (types, tables in view
 * definitions, sequences in defaults) comes schema-qualified and the text does not depend on the
 * reader's session.
 */

/** Schemas a user made: not the catalogs, not TOAST or temporary ones (`pg_` is reserved). */
const USER_SCHEMA = `n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`;

/** Objects an extension created belong to that extension, which the dump lists instead. */
function notFromExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
}

/** The comment on an object (`objsubid` 0) or a column, joined rather than obj_description()'s per-row SQL call. */
function description(alias: string, catalog: string, oid: string, subid = '0'): string {
  return `LEFT JOIN pg_description ${alias} ON ${alias}.objoid = ${oid} AND ${alias}.classoid = '${catalog}'::regclass AND ${alias}.objsubid = ${subid}`;
}

/** A TypeRef as JSON for the type `oid`, `dims` dimensions declared (an array's element type is the one named). */
function typeRef(oid: string, dims: string): string {
  return `(SELECT json_build_object('schema', rn.nspname, 'name', rt.typname, 'kind', rt.typtype,
            'arrayDimensions', CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN greatest(${dims}, 1) ELSE 0 END)
       FROM pg_type t0
       JOIN pg_type rt ON rt.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN t0.typelem ELSE t0.oid END
       JOIN pg_namespace rn ON rn.oid = rt.typnamespace
      WHERE t0.oid = ${oid})`;
}

/** A collation other than the type's own default, by name. */
function collationName(collation: string, typeOid: string): string {
  return `(SELECT co.collname FROM pg_collation co WHERE co.oid = ${collation} AND co.oid <> 0
            AND co.oid <> (SELECT ct.typcollation FROM pg_type ct WHERE ct.oid = ${typeOid}))`;
}

function sequenceOptions(seq: string): string {
  return `json_build_object('type', format_type(${seq}.seqtypid, NULL), 'start', ${seq}.seqstart::text,
            'increment', ${seq}.seqincrement::text, 'min', ${seq}.seqmin::text, 'max', ${seq}.seqmax::text,
            'cache', ${seq}.seqcache::text, 'cycle', ${seq}.seqcycle)`;
}

export const SCHEMAS_SQL = `
SELECT n.nspname AS name, ds.description AS comment
  FROM pg_namespace n ${description('ds', 'pg_namespace', 'n.oid')}
 WHERE ${USER_SCHEMA} AND ${notFromExtension('pg_namespace', 'n.oid')}
 ORDER BY 1`;

export const EXTENSIONS_SQL = `
SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
 ORDER BY 1`;

const RELATION_KINDS = `c.relkind IN ('r', 'p', 'v', 'm')`;

/** Tables, partitioned tables, views and materialized views (their columns: COLUMNS_SQL). */
export const RELATIONS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
       ds.description AS comment,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       CASE WHEN c.relispartition THEN
         (SELECT json_build_object('schema', pn.nspname, 'table', pc.relname, 'bound', pg_get_expr(c.relpartbound, c.oid))
            FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
           WHERE i.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  ${description('ds', 'pg_class', 'c.oid')}
 WHERE ${RELATION_KINDS} AND ${USER_SCHEMA} AND ${notFromExtension('pg_class', 'c.oid')}
 ORDER BY 1, 2`;

/**
 * Every column of those relations, one row each, in declared order: joins, not a subquery per
 * column or per table, so the planner hashes the catalogs once (a 300-table schema's 2,500
 * columns cost what a few do). The type is named by its element type for an array.
 */
export const COLUMNS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       rn.nspname AS type_schema, rt.typname AS type_name, rt.typtype AS type_kind,
       CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN greatest(a.attndims, 1) ELSE 0 END AS array_dimensions,
       NOT a.attnotnull AS nullable,
       -- a default names no column, so it needs no relation to deparse: a new backend does not build
       -- the relation cache entry of every table for it (a generated expression does name columns)
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, 0) END AS default,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
       a.attgenerated AS generated_kind, a.attidentity AS identity,
       CASE WHEN a.attidentity <> '' THEN ${sequenceOptions('s')} END AS identity_sequence,
       CASE WHEN a.attcollation <> t0.typcollation THEN co.collname END AS collation,
       ds.description AS comment
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t0 ON t0.oid = a.atttypid
  JOIN pg_type rt ON rt.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN t0.typelem ELSE t0.oid END
  JOIN pg_namespace rn ON rn.oid = rt.typnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  -- an identity column's sequence depends on it internally
  LEFT JOIN (pg_depend sd JOIN pg_sequence s ON s.seqrelid = sd.objid)
         ON a.attidentity <> '' AND sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
        AND sd.refobjid = c.oid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i'
  ${description('ds', 'pg_class', 'c.oid', 'a.attnum')}
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND ${RELATION_KINDS} AND ${USER_SCHEMA} AND ${notFromExtension('pg_class', 'c.oid')}
 ORDER BY 1, 2, a.attnum`;

/** Column names of a constraint's key, in key order (as text[]: pg parses no name[]). */
function keyNames(relation: string, keys: string): string {
  return `ARRAY(SELECT ka.attname::text FROM unnest(${keys}) WITH ORDINALITY k(num, ord)
                  JOIN pg_attribute ka ON ka.attrelid = ${relation} AND ka.attnum = k.num ORDER BY k.ord)`;
}

export const CONSTRAINTS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, con.conname AS name, con.contype AS kind,
       -- the definition is what an EXCLUDE constraint is written as; the others are read as parts
       CASE WHEN con.contype = 'x' THEN pg_get_constraintdef(con.oid) END AS definition,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS expression,
       ${keyNames('con.conrelid', 'con.conkey')} AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_table,
       CASE WHEN con.contype = 'f' THEN ${keyNames('con.confrelid', 'con.confkey')} END AS ref_columns,
       con.confupdtype AS on_update, con.confdeltype AS on_delete, con.confmatchtype AS match,
       -- through to_jsonb: the column exists from PostgreSQL 15 only
       con.condeferrable AS deferrable, con.condeferred AS deferred,
       CASE WHEN con.contype = 'u' THEN coalesce((SELECT (to_jsonb(x) ->> 'indnullsnotdistinct')::boolean
                                                    FROM pg_index x WHERE x.indexrelid = con.conindid), false) END AS nulls_not_distinct
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND ${USER_SCHEMA}
 ORDER BY 1, 2, 3`;

export const INDEXES_SQL = `
SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, x.indisunique AS unique, am.amname AS method,
       pg_get_indexdef(i.oid) AS definition, pg_get_expr(x.indpred, x.indrelid) AS predicate,
       con.conname AS constraint, ds.description AS comment,
       (SELECT json_agg(json_build_object(
                 'column', ka.attname,
                 'expression', CASE WHEN x.indkey[k - 1] = 0 THEN pg_get_indexdef(i.oid, k, true) END,
                 'descending', (x.indoption[k - 1] & 1) <> 0,
                 'nullsFirst', (x.indoption[k - 1] & 2) <> 0,
                 'opclass', CASE WHEN NOT oc.opcdefault THEN oc.opcname END,
                 'collation', (SELECT co.collname FROM pg_collation co WHERE co.oid = x.indcollation[k - 1]
                                  AND co.oid <> coalesce(ka.attcollation, 0) AND co.collname <> 'default')
               ) ORDER BY k)
          FROM generate_series(1, x.indnkeyatts) k
          LEFT JOIN pg_attribute ka ON ka.attrelid = t.oid AND ka.attnum = x.indkey[k - 1] AND x.indkey[k - 1] <> 0
          LEFT JOIN pg_opclass oc ON oc.oid = x.indclass[k - 1]) AS keys,
       ARRAY(SELECT ia.attname::text FROM generate_series(x.indnkeyatts + 1, x.indnatts) k
               JOIN pg_attribute ia ON ia.attrelid = t.oid AND ia.attnum = x.indkey[k - 1] ORDER BY k) AS include
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
  -- the constraint the index implements (a foreign key names the index it references: not that one)
  LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x')
  ${description('ds', 'pg_class', 'i.oid')}
 WHERE t.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMA} AND ${notFromExtension('pg_class', 't.oid')}
 ORDER BY 1, 2, 3`;

export const ROUTINES_SQL = `
SELECT n.nspname AS schema, p.proname AS name, p.prokind AS kind,
       pg_get_function_identity_arguments(p.oid) AS arguments,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS returns,
       l.lanname AS language, pg_get_functiondef(p.oid) AS definition,
       ds.description AS comment
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
  ${description('ds', 'pg_proc', 'p.oid')}
 WHERE p.prokind IN ('f', 'p', 'w') AND ${USER_SCHEMA} AND ${notFromExtension('pg_proc', 'p.oid')}
   -- functions the server made as part of something else (a range type's constructors) come with it
   AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
 ORDER BY 1, 2, 4`;

export const TRIGGERS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled AS enabled, ds.description AS comment
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  ${description('ds', 'pg_trigger', 't.oid')}
 WHERE NOT t.tgisinternal AND ${USER_SCHEMA}
 ORDER BY 1, 2, 3`;

/** Enums, domains, ranges and stand-alone composite types (a table's row type comes with the table). */
export const TYPES_SQL = `
SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind, ds.description AS comment,
       CASE WHEN t.typtype = 'e' THEN
         (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END AS values,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       CASE WHEN t.typtype = 'd' THEN ${typeRef('t.typbasetype', 't.typndims')} END AS base_ref,
       t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS default,
       CASE WHEN t.typtype = 'd' THEN ${collationName('t.typcollation', 't.typbasetype')} END AS collation,
       CASE WHEN t.typtype = 'd' THEN
         (SELECT coalesce(json_agg(json_build_object('name', dc.conname,
                   'expression', regexp_replace(pg_get_constraintdef(dc.oid), '^CHECK ', '')) ORDER BY dc.conname), '[]'::json)
            FROM pg_constraint dc WHERE dc.contypid = t.oid AND dc.contype = 'c') END AS checks,
       CASE WHEN t.typtype = 'c' THEN
         (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                   'typeRef', ${typeRef('a.atttypid', 'a.attndims')},
                   'collation', ${collationName('a.attcollation', 'a.atttypid')}) ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes,
       CASE WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END AS subtype
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ${description('ds', 'pg_type', 't.oid')}
 WHERE ${USER_SCHEMA} AND ${notFromExtension('pg_type', 't.oid')}
   AND (t.typtype IN ('e', 'd', 'r')
        OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c')))
 ORDER BY 1, 2`;

/** Sequences, but not those behind identity columns (part of the column). */
export const SEQUENCES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, ${sequenceOptions('s')} AS options,
       (SELECT json_build_object('schema', tn.nspname, 'table', tc.relname, 'column', ta.attname)
          FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
          JOIN pg_attribute ta ON ta.attrelid = tc.oid AND ta.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
           AND d.deptype = 'a' LIMIT 1) AS owned_by,
       ds.description AS comment
  FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
  ${description('ds', 'pg_class', 'c.oid')}
 WHERE c.relkind = 'S' AND ${USER_SCHEMA} AND ${notFromExtension('pg_class', 'c.oid')}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
 ORDER BY 1, 2`;
