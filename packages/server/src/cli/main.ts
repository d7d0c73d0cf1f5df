#!/usr/bin/env node
import './production-defaults.js';
import { runCli } from './run-cli.js';

const code = await runCli(process.argv, process.env);
// A command that failed half-way may leave connections (PostgreSQL, Redis) open that would keep the process alive.
if (code === 0) process.exitCode = 0;
else process.exit(code);
