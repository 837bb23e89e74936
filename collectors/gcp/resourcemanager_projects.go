package gcp

import (
	"context"
	"fmt"

	crm "google.golang.org/api/cloudresourcemanager/v3"

	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Operations and permissions of project discovery.
//
// Resource Manager API docs:
//   - https://cloud.google.com/resource-manager/reference/rest/v3/projects/list (resourcemanager.projects.list)
//   - https://cloud.google.com/resource-manager/reference/rest/v3/folders/list (resourcemanager.folders.list)
const (
	opProjectsList = "resourcemanager.projects.list"
	opFoldersList  = "resourcemanager.folders.list"
)

// maxFolderDepth bounds the folder nesting walked (Google allows 10).
const maxFolderDepth = 10

// discover returns the IDs of the active projects under the configured
// parents and all their nested folders.
func (s *Source) discover(ctx context.Context) ([]string, error) {
	opts, err := s.options(ctx, "cloudresourcemanager", "")
	if err != nil {
		return nil, err
	}
	svc, err := crm.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp cloudresourcemanager client: %w", err)
	}
	var out []string
	var walk func(parent string, depth int) error
	walk = func(parent string, depth int) error {
		err := svc.Projects.List().Parent(parent).Pages(ctx, func(p *crm.ListProjectsResponse) error {
			for _, pr := range p.Projects {
				if pr.State == "ACTIVE" {
					out = append(out, pr.ProjectId)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("gcp %s %s: %w", opProjectsList, parent, gcpapi.Classify(err, opProjectsList, opProjectsList))
		}
		if depth >= maxFolderDepth {
			return nil
		}
		var folders []string
		err = svc.Folders.List().Parent(parent).Pages(ctx, func(p *crm.ListFoldersResponse) error {
			for _, f := range p.Folders {
				if f.State == "ACTIVE" {
					folders = append(folders, f.Name)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("gcp %s %s: %w", opFoldersList, parent, gcpapi.Classify(err, opFoldersList, opFoldersList))
		}
		for _, f := range folders {
			if err := walk(f, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range s.cfg.Parents {
		if err := walk(p, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}
