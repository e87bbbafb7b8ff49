// Command lifecycledoc writes the lifecycle tables of docs/architecture.md
// from internal/job: the statuses and the moves the lifecycle and the
// admin override table allow, the payment statuses and the attention
// codes. It replaces what stands between the lifecycle markers and
// nothing else. internal/job runs it through `go generate` (`make
// generate`); TestDocIsCurrent fails when the committed document differs
// from what it would write.
//
// Usage (from internal/job):
//
//	go run ../devtools/lifecycledoc -job . -doc ../../docs/architecture.md
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	jobDir := flag.String("job", ".", "the directory of package job")
	docPath := flag.String("doc", "../../docs/architecture.md", "the Markdown file to update")
	flag.Parse()
	if err := run(*jobDir, *docPath); err != nil {
		fmt.Fprintln(os.Stderr, "lifecycledoc:", err)
		os.Exit(1)
	}
}

func run(jobDir, docPath string) error {
	want, err := generate(jobDir, docPath)
	if err != nil {
		return err
	}
	return os.WriteFile(docPath, []byte(want), 0o644)
}

// generate is the document at docPath with its lifecycle block written
// afresh from the job package in jobDir.
func generate(jobDir, docPath string) (string, error) {
	c, err := readComments(jobDir)
	if err != nil {
		return "", err
	}
	section, err := render(c)
	if err != nil {
		return "", err
	}
	doc, err := os.ReadFile(docPath)
	if err != nil {
		return "", err
	}
	out, err := splice(string(doc), section)
	if err != nil {
		return "", fmt.Errorf("%s: %w", docPath, err)
	}
	return out, nil
}
