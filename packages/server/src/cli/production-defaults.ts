// Imported first by the `causeway` command, before any library reads it: libraries such as graphql-js run
// extra development checks unless NODE_ENV says production. An explicit NODE_ENV is kept.
process.env.NODE_ENV ??= 'production';
