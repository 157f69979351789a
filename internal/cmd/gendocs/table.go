package main

import (
	"bytes"
	"fmt"
	"strings"
)

// table is a GitHub-flavoured Markdown table built row by row.
type table struct {
	header []string
	rows   [][]string
}

func newTable(header ...string) *table { return &table{header: header} }

// add appends a row; it must have as many cells as the header.
func (t *table) add(cells ...string) {
	if len(cells) != len(t.header) {
		panic(fmt.Sprintf("gendocs: a row of %d cells in a table of %d columns", len(cells), len(t.header)))
	}
	t.rows = append(t.rows, cells)
}

// writeTo writes the table, each cell escaped so that catalogue text with
// pipes or line breaks cannot break the table's structure.
func (t *table) writeTo(b *bytes.Buffer) {
	writeRow(b, t.header)
	sep := make([]string, len(t.header))
	for i := range sep {
		sep[i] = "---"
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range t.rows {
		writeRow(b, r)
	}
}

func writeRow(b *bytes.Buffer, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(cell(c))
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

// cell escapes text for one table cell: '|' becomes '\|' (GFM reads it as
// part of the cell, even inside code spans), line breaks become spaces, and
// an empty cell shows a dash.
func cell(s string) string {
	s = strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// code formats s as a Markdown code span.
func code(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}
