#!/usr/bin/env node
import './production-defaults.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv, process.env);
