#!/usr/bin/env node
// The `causeway` command. A committed file rather than dist/cli/main.js itself, so npm links the command when it
// installs a checkout (before `prepare` builds dist/) as well as from the published package.
import '../dist/cli/main.js';
