# Development switch: allows everything. Proves that enforcement is wired (every call must consult
# the policy); never load it at a clinic. The engine refuses it unless allowUnsafePolicies is set.
allow(_actor, _action, _resource);
