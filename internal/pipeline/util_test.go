package pipeline_test

import "github.com/sellmyimages/smid/internal/store"

func storeFilterAll() store.Filter { return store.Filter{} }
