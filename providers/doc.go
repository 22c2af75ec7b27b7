// Package providers holds ready-made login providers, one file each, every
// one documenting its provider's quirks and proven against recorded
// answers by package conformance.
package providers
