package job

// The lifecycle tables of docs/architecture.md are written from this
// package's tables and comments; `make generate` runs this.
//go:generate go run ../devtools/lifecycledoc -job . -doc ../../docs/architecture.md
