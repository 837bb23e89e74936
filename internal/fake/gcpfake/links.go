package gcpfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Folder is a Resource Manager folder.
type Folder struct {
	// Name is "folders/ID".
	Name        string
	DisplayName string
	// Parent is the parent folder ("folders/ID"); "" means State.Parent.
	Parent string
}

// Network is a VPC network with its peerings.
type Network struct {
	Name     string
	Peerings []Peering
}

// Peering is one side of a VPC Network Peering: Name is its name in the
// local network, Project and Network name the peer network.
type Peering struct {
	Name, Project, Network string
	// Inactive means the peer has not configured the other side.
	Inactive bool
}

// parentOf returns the parent of project pr: its folder or State.Parent.
func (s *State) parentOf(pr *Project) string {
	if pr.Folder != "" {
		return pr.Folder
	}
	return s.Parent
}

// folderParent returns the parent of folder f: a folder or State.Parent.
func (s *State) folderParent(f Folder) string {
	if f.Parent != "" {
		return f.Parent
	}
	return s.Parent
}

// ancestry serves resourcemanager.projects.getAncestry (v1): the project,
// its folders nearest first, then the organisation. A project the fake
// does not hold is answered as Google answers a project the caller may not
// see: 403.
func (s *State) ancestry(w http.ResponseWriter, id string) {
	pr := s.project(id)
	if pr == nil {
		writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
		return
	}
	anc := []any{resourceID("project", pr.ID)}
	parent := s.parentOf(pr)
	for depth := 0; strings.HasPrefix(parent, "folders/") && depth < 10; depth++ {
		anc = append(anc, resourceID("folder", strings.TrimPrefix(parent, "folders/")))
		i := slices.IndexFunc(s.Folders, func(f Folder) bool { return f.Name == parent })
		if i < 0 {
			break
		}
		parent = s.folderParent(s.Folders[i])
	}
	if org, ok := strings.CutPrefix(s.Parent, "organizations/"); ok {
		anc = append(anc, resourceID("organization", org))
	}
	writeJSON(w, map[string]any{"ancestor": anc})
}

func resourceID(typ, id string) map[string]any {
	return map[string]any{"resourceId": map[string]any{"type": typ, "id": id}}
}

// linkPath reports whether the path segments after
// /compute/v1/projects/{project} name a read serveLinks answers.
func linkPath(rest []string) bool {
	switch len(rest) {
	case 0:
		return true
	case 1:
		return rest[0] == "getXpnHost" || rest[0] == "getXpnResources"
	case 2:
		return rest[0] == "global" && rest[1] == "networks"
	}
	return false
}

// serveLinks serves compute.projects.get, getXpnHost, getXpnResources and
// networks.list of project id.
func (s *State) serveLinks(w http.ResponseWriter, r *http.Request, id string, rest []string) {
	pr := s.project(id)
	if pr == nil {
		writeError(w, http.StatusNotFound, "notFound", "The resource 'projects/"+id+"' was not found")
		return
	}
	base := "https://www.googleapis.com/compute/v1/projects/"
	switch {
	case len(rest) == 0:
		status := "UNSPECIFIED_XPN_PROJECT_STATUS"
		if len(s.services(pr)) > 0 {
			status = "HOST"
		}
		writeJSON(w, fields(r, map[string]any{"kind": "compute#project", "id": strconv.FormatInt(pr.Number, 10), "name": pr.ID,
			"creationTimestamp": "2024-01-01T00:00:00.000-08:00", "selfLink": base + pr.ID, "defaultNetworkTier": "PREMIUM",
			"xpnProjectStatus": status, "commonInstanceMetadata": projectMetadataJSON(pr)}))
	case rest[0] == "getXpnHost":
		host := s.project(pr.SharedVPCHost)
		if host == nil {
			writeJSON(w, map[string]any{})
			return
		}
		writeJSON(w, fields(r, map[string]any{"kind": "compute#project", "id": strconv.FormatInt(host.Number, 10), "name": host.ID,
			"creationTimestamp": "2024-01-01T00:00:00.000-08:00", "selfLink": base + host.ID, "defaultNetworkTier": "PREMIUM",
			"xpnProjectStatus": "HOST"}))
	case rest[0] == "getXpnResources":
		var items []any
		for _, svc := range s.services(pr) {
			items = append(items, map[string]any{"type": "PROJECT", "id": svc})
		}
		s.list(w, r, "compute#projectsGetXpnResources", "resources", items)
	default:
		var items []any
		for _, n := range pr.Networks {
			items = append(items, networkJSON(pr, n))
		}
		s.list(w, r, "compute#networkList", "items", items)
	}
}

// services returns the IDs of the service projects of host project pr.
func (s *State) services(pr *Project) []string {
	var out []string
	for _, p := range s.Projects {
		if p.SharedVPCHost == pr.ID {
			out = append(out, p.ID)
		}
	}
	return out
}

// fields keeps the top-level fields a partial response asks for (the
// "fields" system parameter, e.g. fields=name,xpnProjectStatus).
func fields(r *http.Request, v map[string]any) map[string]any {
	sel := r.URL.Query().Get("fields")
	if sel == "" {
		return v
	}
	out := map[string]any{}
	for _, f := range strings.Split(sel, ",") {
		if x, ok := v[strings.TrimSpace(f)]; ok {
			out[strings.TrimSpace(f)] = x
		}
	}
	return out
}

func networkJSON(pr *Project, n Network) map[string]any {
	base := "https://www.googleapis.com/compute/v1/projects/"
	var peerings []any
	for _, p := range n.Peerings {
		state, details := "ACTIVE", "[2024-01-01T00:00:00.000-08:00]: Connected."
		if p.Inactive {
			state, details = "INACTIVE", "[2024-01-01T00:00:00.000-08:00]: Waiting for peer network to connect."
		}
		peerings = append(peerings, map[string]any{"name": p.Name, "network": base + p.Project + "/global/networks/" + p.Network,
			"state": state, "stateDetails": details, "autoCreateRoutes": true, "exchangeSubnetRoutes": true,
			"exportCustomRoutes": false, "importCustomRoutes": false, "exportSubnetRoutesWithPublicIp": true,
			"importSubnetRoutesWithPublicIp": false, "stackType": "IPV4_ONLY"})
	}
	out := map[string]any{"kind": "compute#network", "id": strconv.Itoa(len(n.Name) * 7927), "creationTimestamp": "2024-01-01T00:00:00.000-08:00",
		"name": n.Name, "selfLink": base + pr.ID + "/global/networks/" + n.Name, "autoCreateSubnetworks": false,
		"routingConfig": map[string]any{"routingMode": "REGIONAL"}, "mtu": 1460,
		"networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL"}
	if len(peerings) > 0 {
		out["peerings"] = peerings
	}
	return out
}
