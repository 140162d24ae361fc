"""Payroll, bank and tax exports of a closed period: layouts, the people file, the table, the writers."""
