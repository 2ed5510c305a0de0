"""Machines, cross toolchains and target sysroots."""
