-- no-transaction
DROP INDEX notes_by_user;
