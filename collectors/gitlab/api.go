package gitlab

import (
	"context"
	"net/http"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// get reads one object at path (relative to /api/v4) into a T with the
// client, for fields the client's types do not carry (such as a member's
// two_factor_enabled) or whose absence must stay visible (pointers).
func get[T any](ctx context.Context, c *gl.Client, path string, opt any) (T, error) {
	var v T
	req, err := c.NewRequest(http.MethodGet, path, opt, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return v, err
	}
	_, err = c.Do(req, &v)
	return v, err
}

// list reads every page of the list at path, following the keyset Link
// header when GitLab sends one and X-Next-Page otherwise (the client's
// pagination helpers), and stops at the first error.
func list[T any](ctx context.Context, c *gl.Client, path string, opt any) ([]T, error) {
	var out []T
	for v, err := range gl.Scan2(func(p gl.PaginationOptionFunc) ([]T, *gl.Response, error) {
		opts := []gl.RequestOptionFunc{gl.WithContext(ctx)}
		if p != nil {
			opts = append(opts, p)
		}
		req, err := c.NewRequest(http.MethodGet, path, opt, opts)
		if err != nil {
			return nil, nil, err
		}
		var page []T
		resp, err := c.Do(req, &page)
		return page, resp, err
	}) {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// pageOpts are the list options of every offset-paginated list.
type pageOpts struct {
	PerPage int `url:"per_page,omitempty"`
}

// ts formats t as an RFC 3339 UTC string, or "" for nil.
func ts(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
