/**
 * The reliability and security suite (docs/reliability.md): what users are promised when workers crash, S3 fails,
 * the disk fills up, input is corrupt or hostile, configuration is wrong, and where secrets must never appear.
 */
package io.tieredarchive.reliability;
