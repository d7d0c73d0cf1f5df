import { fileScenarios } from './support/file-scenarios.js';

// File fields over REST, GraphQL, realtime and the client, with files in the data directory.
fileScenarios('local');
