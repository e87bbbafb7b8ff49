package pipeline_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

// bundle is the shared test stack with this package's own assertions on it.
type bundle struct{ *pipelinetest.Env }

func setup(t *testing.T, o pipelinetest.Options) *bundle { return &bundle{pipelinetest.New(t, o)} }

func jsonBody(v any) []byte { b, _ := json.Marshal(v); return b }

// wantErr fails unless err is a *job.Error with code (and reason, if given).
func wantErr(t *testing.T, err error, code, reason string) *job.Error {
	t.Helper()
	var e *job.Error
	if !errors.As(err, &e) || e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("got error %v (%#v), want code %s reason %q", err, err, code, reason)
	}
	return e
}
