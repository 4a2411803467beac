# Development switch: denies everything. Every read answers not found, every action forbidden.
allow(_actor, _action, _resource) if false;
