pub fn hydrate() {}
