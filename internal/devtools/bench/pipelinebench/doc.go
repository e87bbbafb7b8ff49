// Package pipelinebench measures the pipeline and the admin batches on
// real parts (MariaDB, the Upsampler fake answering at once, Mailpit,
// stripe-mock). It is run by `make bench` as Go benchmarks with one
// iteration each; the figures are reported as custom metrics.
package pipelinebench
