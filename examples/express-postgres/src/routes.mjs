import express from 'express';

/** The app's JSON API on the schema the migrations built: users, their posts, a display name. */
export function routes(pool) {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.json({
      name: 'strata example: Express + PostgreSQL',
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

  router.get('/users', async (_req, res) => {
    const { rows } = await pool.query(
      `SELECT u.id::text AS id, u.email, u.display_name AS "displayName", u.created_at AS "createdAt", count(p.id)::int AS posts
         FROM users u LEFT JOIN posts p ON p.user_id = u.id
        GROUP BY u.id ORDER BY u.id`,
    );
    res.json(rows);
  });

  router.post('/users', async (req, res) => {
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
      const { rows } = await pool.query(
        `INSERT INTO users (email, display_name) VALUES ($1, coalesce($2, split_part($1, '@', 1)))
         RETURNING id::text AS id, email, display_name AS "displayName", created_at AS "createdAt"`,
        [email, displayName ?? null],
      );
      res.status(201).json(rows[0]);
    } catch (error) {
      if (error.code === '23505') {
        res.status(409).json({ error: `a user with email ${email} already exists` });
        return;
      }
      throw error;
    }
  });

  router.get('/users/:id', async (req, res) => {
    const user = await findUser(pool, req.params.id);
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    const { rows } = await pool.query(
      'SELECT id::text AS id, title, body, created_at AS "createdAt" FROM posts WHERE user_id = $1 ORDER BY id',
      [user.id],
    );
    res.json({ ...user, posts: rows });
  });

  router.post('/users/:id/posts', async (req, res) => {
    const user = await findUser(pool, req.params.id);
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    const { title, body = '' } = req.body ?? {};
    if (typeof title !== 'string' || title.trim() === '' || typeof body !== 'string') {
      res.status(400).json({ error: 'title is required; body must be a string' });
      return;
    }
    const { rows } = await pool.query(
      'INSERT INTO posts (user_id, title, body) VALUES ($1, $2, $3) RETURNING id::text AS id, user_id::text AS "userId", title, body',
      [user.id, title, body],
    );
    res.status(201).json(rows[0]);
  });

  router.get('/posts', async (_req, res) => {
    const { rows } = await pool.query(
      `SELECT p.id::text AS id, p.title, p.body, p.created_at AS "createdAt", u.display_name AS author
         FROM posts p JOIN users u ON u.id = p.user_id ORDER BY p.created_at DESC, p.id DESC LIMIT 50`,
    );
    res.json(rows);
  });

  return router;
}

async function findUser(pool, id) {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const { rows } = await pool.query(
    'SELECT id::text AS id, email, display_name AS "displayName", created_at AS "createdAt" FROM users WHERE id = $1',
    [id],
  );
  return rows[0];
}
