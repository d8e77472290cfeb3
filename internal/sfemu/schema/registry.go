package schema

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

//go:embed standard/*.yaml
var standardFiles embed.FS

// Registry is an immutable set of objects: the standard ones plus the custom
// objects and fields added by schema files. Adding a file makes a new
// Registry (Apply), so readers never see a half-built schema and hold a
// consistent snapshot for as long as they keep the pointer.
type Registry struct {
	objects  []*Object // sorted by name
	byName   map[string]*Object
	byPrefix map[string]*Object
	sources  []Source
}

// Source is a schema file applied to a registry, kept so the registry can be
// saved and rebuilt in the same order (custom key prefixes depend on it).
type Source struct {
	Name string
	Data []byte
}

var standard = sync.OnceValues(func() (*Registry, error) { return build(nil) })

// Standard returns the registry of the built-in standard objects. It is
// shared: registries are immutable.
func Standard() *Registry {
	r, err := standard()
	if err != nil {
		// The built-in files are part of the binary; TestStandard pins them.
		panic(fmt.Sprintf("schema: building the standard objects: %v", err))
	}
	return r
}

// Apply parses a schema file and returns a new registry with its objects and
// fields added. r is unchanged. Errors are *SpecError.
func (r *Registry) Apply(name string, data []byte) (*Registry, error) {
	if _, err := Parse(name, data); err != nil {
		return nil, err
	}
	return build(append(slices.Clone(r.sources), Source{Name: name, Data: slices.Clone(data)}))
}

// Rebuild returns the standard registry with sources applied in order, as
// Sources returned them.
func Rebuild(sources []Source) (*Registry, error) { return build(sources) }

// Sources returns the schema files applied to the standard objects, in order.
func (r *Registry) Sources() []Source { return slices.Clone(r.sources) }

// standardSpecs are the parsed built-in files; building objects from them
// never modifies them.
var standardSpecs = sync.OnceValues(func() ([]*File, error) {
	names, err := fs.Glob(standardFiles, "standard/*.yaml")
	if err != nil {
		return nil, err
	}
	var files []*File
	for _, n := range names {
		data, err := standardFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		f, err := Parse(n, data)
		if err != nil {
			return nil, err
		}
		f.builtin = true
		files = append(files, f)
	}
	return files, nil
})

func build(sources []Source) (*Registry, error) {
	b := &builder{byName: map[string]*Object{}, specs: map[*Object][]fieldSource{}, parents: map[*Object][]string{}}
	files, err := standardSpecs()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := b.addFile(f); err != nil {
			return nil, err
		}
	}
	for _, s := range sources {
		f, err := Parse(s.Name, s.Data)
		if err != nil {
			return nil, err
		}
		if err := b.addFile(f); err != nil {
			return nil, err
		}
	}
	if err := b.resolve(); err != nil {
		return nil, err
	}
	r := &Registry{objects: b.objects, byName: b.byName, byPrefix: map[string]*Object{}, sources: sources}
	slices.SortFunc(r.objects, func(x, y *Object) int { return strings.Compare(x.Name, y.Name) })
	for _, o := range r.objects {
		r.byPrefix[o.KeyPrefix] = o
	}
	return r, nil
}

// Objects returns every object, sorted by name.
func (r *Registry) Objects() []*Object { return slices.Clone(r.objects) }

// Object returns the named object, matched case-insensitively, or nil.
func (r *Registry) Object(name string) *Object { return r.byName[strings.ToLower(name)] }

// ObjectForID returns the object a record ID belongs to, from its key
// prefix, or nil. It does not validate the ID.
func (r *Registry) ObjectForID(id string) *Object {
	if len(id) < 3 {
		return nil
	}
	return r.byPrefix[id[:3]]
}
