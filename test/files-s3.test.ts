import { fileScenarios } from './support/file-scenarios.js';

// The same scenarios with files in an S3-compatible bucket (s3rver, started by the scenarios).
fileScenarios('s3');
