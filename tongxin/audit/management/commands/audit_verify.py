from tongxin.audit.management.commands.verify_audit_chain import Command as VerifyAuditChain


class Command(VerifyAuditChain):
    """The former name of verify_audit_chain."""
