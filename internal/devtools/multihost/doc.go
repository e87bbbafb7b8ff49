// Package multihost shows smid on more than one host: two `smid serve`
// processes with separate working directories share one MariaDB database
// and one S3 bucket (a real SeaweedFS), each completes jobs and each serves
// the files the other stored. Its only code is its test; it needs what
// `make test` provides (SMI_TEST_DSN, SMI_SMID_BIN, stripe-mock, Mailpit
// and the weed binary that scripts/seaweedfs.sh builds).
package multihost
