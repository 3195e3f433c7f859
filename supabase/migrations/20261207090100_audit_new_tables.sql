-- The tables added next to the audit trail (invitations, ownership offers, API
-- keys, report webhook secrets) are audited like the rest: every change an
-- entry in the organization's chain, secrets never stored in it.
select private.audit_table('public.invitations',
  p_secret_columns => '{token_hash}', p_security_columns => '{*}');
select private.audit_table('public.ownership_transfers',
  p_security_columns => '{*}', p_id_column => 'org_id');
select private.audit_table('public.api_keys',
  p_secret_columns => '{secret_hash}',
  p_ignored_columns => '{last_used_at,last_used_address}',
  p_security_columns => '{*}');
select private.audit_table('public.report_webhook_secrets',
  p_secret_columns => '{secret}', p_security_columns => '{*}', p_id_column => 'definition_id');
