export { migrationsDigest } from './digest.js';
export { type Embedding, type EmbedOptions, type GeneratedFile, generateEmbedding, sourceLabel } from './generate.js';
export { type EmbedFormat, type RenderOptions, renderEmbeddedModule } from './module-text.js';
export { DEFAULT_EMBED_OUT, type EmbedTarget, embedTargets } from './output-files.js';
export { compareGenerated, describeStaleness, type Freshness } from './staleness.js';
export { checkEmbedding, type FileOutcome, writeEmbedding } from './write-embedding.js';
