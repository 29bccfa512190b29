CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  body TEXT NOT NULL
);

INSERT INTO users (id, email, name) VALUES (1, 'ada@example.com', 'Ada');
INSERT INTO notes (id, user_id, body) VALUES (1, 1, 'shipped in one file');
