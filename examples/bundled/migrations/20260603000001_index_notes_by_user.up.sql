-- no-transaction
CREATE INDEX notes_by_user ON notes (user_id);
