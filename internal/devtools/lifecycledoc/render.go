package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
)

// The generated part of docs/architecture.md sits between these lines.
const (
	beginMarker = "<!-- BEGIN lifecycle: generated from internal/job by `make generate`; do not edit by hand -->"
	endMarker   = "<!-- END lifecycle -->"
)

// comments are the words internal/job's source gives each value: the
// line comment of a constant (or its doc comment), and the condition the
// override table's comment gives each manual move ("from → to").
type comments struct {
	status     map[string]string
	payment    map[string]string
	attention  map[string]string
	conditions map[string]string
}

// overrideLine is one row of the override table's comment:
// "	awaiting_payment → pending     only when Stripe confirms the payment".
var overrideLine = regexp.MustCompile(`^\s*([a-z_]+)\s*→\s*([a-z_]+)\s+(\S.*)$`)

// readComments parses the non-test Go files of the job package in dir.
func readComments(dir string) (*comments, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	c := &comments{status: map[string]string{}, payment: map[string]string{}, attention: map[string]string{}, conditions: map[string]string{}}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if f.Name.Name != "job" {
			return nil, fmt.Errorf("%s is not of package job", name)
		}
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok {
				c.addDecl(gd)
			}
		}
	}
	if len(c.status) == 0 {
		return nil, fmt.Errorf("%s holds no job statuses", dir)
	}
	return c, nil
}

// addDecl files the comments of one declaration.
func (c *comments) addDecl(gd *ast.GenDecl) {
	for _, spec := range gd.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok {
			continue
		}
		if gd.Tok == token.VAR && len(vs.Names) == 1 && vs.Names[0].Name == "overrides" {
			for _, line := range strings.Split(gd.Doc.Text(), "\n") {
				if m := overrideLine.FindStringSubmatch(line); m != nil {
					c.conditions[m[1]+" → "+m[2]] = m[3]
				}
			}
		}
		if gd.Tok == token.CONST {
			c.addConst(vs)
		}
	}
}

// addConst files a string constant's comment under its value, by kind.
func (c *comments) addConst(vs *ast.ValueSpec) {
	if len(vs.Names) != 1 || len(vs.Values) != 1 {
		return
	}
	lit, ok := vs.Values[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return
	}
	value, err := strconv.Unquote(lit.Value)
	if err != nil {
		return
	}
	name := vs.Names[0].Name
	text := strings.TrimSpace(vs.Comment.Text())
	if text == "" {
		text = strings.Join(strings.Fields(strings.TrimPrefix(vs.Doc.Text(), name+":")), " ")
	}
	text = strings.TrimSuffix(text, ".")
	typ := ""
	if id, ok := vs.Type.(*ast.Ident); ok {
		typ = id.Name
	}
	switch {
	case typ == "Status":
		c.status[value] = text
	case typ == "PaymentStatus":
		c.payment[value] = text
	case typ == "" && strings.HasPrefix(name, "Attention"):
		c.attention[value] = text
	}
}

// page is the section being written, and what is wrong with the
// comments it is written from.
type page struct {
	strings.Builder
	problems []string
}

// table starts a titled table, with an introduction when intro is set.
func (p *page) table(title, intro string, columns ...string) {
	fmt.Fprintf(p, "\n#### %s\n\n", title)
	if intro != "" {
		fmt.Fprintf(p, "%s\n\n", intro)
	}
	p.row(columns...)
	p.WriteString("|" + strings.Repeat("---|", len(columns)) + "\n")
}

func (p *page) row(cells ...string) {
	p.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// words is what a comment says of key, noting its absence as a problem.
func (p *page) words(m map[string]string, what, key string) string {
	if m[key] == "" {
		p.problems = append(p.problems, fmt.Sprintf("%s %q has no comment in internal/job", what, key))
	}
	return m[key]
}

func code[T ~string](s T) string { return "`" + string(s) + "`" }

func codes(ss []job.Status) string {
	if len(ss) == 0 {
		return "—"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// moves lists the statuses can allows a job to move to from from.
func moves(from job.Status, can func(from, to job.Status) bool) []job.Status {
	var out []job.Status
	for _, to := range job.Statuses {
		if to != from && can(from, to) {
			out = append(out, to)
		}
	}
	return out
}

// render writes the lifecycle section from the job package's tables,
// with the words its source gives them. A value without words, or a
// manual move the override comment and the table disagree on, is an
// error: the comment must change with the table.
func render(c *comments) (string, error) {
	p := &page{}
	p.WriteString(beginMarker + "\n")
	p.statuses(c)
	p.grid()
	p.overrides(c)
	p.table("Payment statuses", "", "payment status", "meaning", "money was captured")
	for _, ps := range job.PaymentStatuses {
		p.row(code(ps), p.words(c.payment, "payment status", string(ps)), yesNo(ps.Captured()))
	}
	p.table("Attention codes", "Why a job needs an admin (`job.Attention`); the API serves them in each job's `attention` and lists them in `/v1/system`.",
		"code", "raised when")
	for _, a := range job.AttentionCodes {
		p.row(code(a), p.words(c.attention, "attention code", a))
	}
	p.WriteString("\n" + endMarker + "\n")
	if len(p.problems) > 0 {
		slices.Sort(p.problems)
		return "", errors.New(strings.Join(slices.Compact(p.problems), "; "))
	}
	return p.String(), nil
}

func (p *page) statuses(c *comments) {
	p.table("Statuses and their moves", "The pipeline moves a job only along `job.CanTransition`; an admin's manual change only along `job.CanOverride`. `store.DB.Apply` (`checkMove`) refuses anything else with a `conflict` whose reason is `transition`.",
		"status", "meaning", "the pipeline may move it to", "an admin may move it to")
	for _, s := range job.Statuses {
		p.row(code(s), p.words(c.status, "status", string(s)), codes(moves(s, job.CanTransition)), codes(moves(s, job.CanOverride)))
	}
}

// grid is the same moves as a from × to matrix.
func (p *page) grid() {
	p.WriteString("\nThe same moves as a grid (row: from, column: to; **L** the lifecycle, **A** an admin override):\n\n")
	head := []string{"from \\ to"}
	for _, to := range job.Statuses {
		head = append(head, code(to))
	}
	p.row(head...)
	p.WriteString("|" + strings.Repeat("---|", len(head)) + "\n")
	for _, from := range job.Statuses {
		cells := []string{code(from)}
		for _, to := range job.Statuses {
			var cell []string
			if slices.Contains(moves(from, job.CanTransition), to) {
				cell = append(cell, "L")
			}
			if slices.Contains(moves(from, job.CanOverride), to) {
				cell = append(cell, "A")
			}
			cells = append(cells, strings.Join(cell, " "))
		}
		p.row(cells...)
	}
}

func (p *page) overrides(c *comments) {
	p.table("Manual overrides", "What `POST /v1/jobs/{job_id}/status` may do (`admin.Service.SetStatus`). No override marks a job paid: payment state comes from Stripe only.",
		"from", "to", "condition", "asks Stripe first")
	seen := map[string]bool{}
	for _, from := range job.Statuses {
		for _, to := range moves(from, job.CanOverride) {
			key := string(from) + " → " + string(to)
			seen[key] = true
			p.row(code(from), code(to), p.words(c.conditions, "override", key), yesNo(job.NeedsStripeConfirmation(from, to)))
		}
	}
	for key := range c.conditions {
		if !seen[key] {
			p.problems = append(p.problems, fmt.Sprintf("the override table's comment names %s, which the table does not allow", key))
		}
	}
}

// splice puts section in place of what stands between the markers in doc.
func splice(doc, section string) (string, error) {
	begin := strings.Index(doc, beginMarker)
	end := strings.Index(doc, endMarker)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("the document has no %q … %q block", beginMarker, endMarker)
	}
	if strings.Count(doc, beginMarker) != 1 || strings.Count(doc, endMarker) != 1 {
		return "", fmt.Errorf("the document has more than one lifecycle block")
	}
	after := doc[end+len(endMarker):]
	after = strings.TrimPrefix(after, "\n")
	return doc[:begin] + section + after, nil
}
