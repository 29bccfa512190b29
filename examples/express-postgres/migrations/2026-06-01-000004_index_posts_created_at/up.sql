-- CONCURRENTLY cannot run inside a transaction: metadata.toml says so, and strata runs this script
-- on its own. It does not block writes to posts while the index builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_created_at ON posts (created_at DESC);
