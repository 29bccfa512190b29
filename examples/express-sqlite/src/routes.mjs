import express from 'express';

/** The app's JSON API on the schema the migrations built: users, their posts, a display name. */
export function routes(db) {
  const router = express.Router();
  const listUsers = db.prepare(
    `SELECT u.id, u.email, u.display_name AS displayName, u.created_at AS createdAt, count(p.id) AS posts
       FROM users u LEFT JOIN posts p ON p.user_id = u.id
      GROUP BY u.id ORDER BY u.id`,
  );
  const findUser = db.prepare('SELECT id, email, display_name AS displayName, created_at AS createdAt FROM users WHERE id = ?');
  const insertUser = db.prepare(
    "INSERT INTO users (email, display_name) VALUES (?, coalesce(?, substr(?, 1, instr(?, '@') - 1))) RETURNING id",
  );
  const postsOf = db.prepare('SELECT id, title, body, created_at AS createdAt FROM posts WHERE user_id = ? ORDER BY id');
  const insertPost = db.prepare('INSERT INTO posts (user_id, title, body) VALUES (?, ?, ?) RETURNING id');
  const latestPosts = db.prepare(
    `SELECT p.id, p.title, p.body, p.created_at AS createdAt, u.display_name AS author
       FROM posts p JOIN users u ON u.id = p.user_id ORDER BY p.id DESC LIMIT 50`,
  );

  router.get('/', (_req, res) => {
    res.json({
      name: 'strata example: Express + SQLite',
      endpoints: [
        'GET /users',
        'POST /users',
        'GET /users/:id',
        'POST /users/:id/posts',
        'GET /posts',
        'GET /livez',
        'GET /readyz',
        'GET /healthz',
      ],
    });
  });

  router.get('/users', (_req, res) => {
    res.json(listUsers.all());
  });

  router.post('/users', (req, res) => {
    const { email, displayName } = req.body ?? {};
    if (typeof email !== 'string' || !email.includes('@')) {
      res.status(400).json({ error: 'email is required and must contain @' });
      return;
    }
    if (displayName !== undefined && typeof displayName !== 'string') {
      res.status(400).json({ error: 'displayName must be a string' });
      return;
    }
    try {
      const { id } = insertUser.get(email, displayName ?? null, email, email);
      res.status(201).json(findUser.get(id));
    } catch (error) {
      if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        res.status(409).json({ error: `a user with email ${email} already exists` });
        return;
      }
      throw error;
    }
  });

  router.get('/users/:id', (req, res) => {
    const user = findUser.get(Number(req.params.id));
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    res.json({ ...user, posts: postsOf.all(user.id) });
  });

  router.post('/users/:id/posts', (req, res) => {
    const user = findUser.get(Number(req.params.id));
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    const { title, body = '' } = req.body ?? {};
    if (typeof title !== 'string' || title.trim() === '' || typeof body !== 'string') {
      res.status(400).json({ error: 'title is required; body must be a string' });
      return;
    }
    const { id } = insertPost.get(user.id, title, body);
    res.status(201).json({ id, userId: user.id, title, body });
  });

  router.get('/posts', (_req, res) => {
    res.json(latestPosts.all());
  });

  return router;
}
