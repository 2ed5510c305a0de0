# OpenEmbedded's python3native: the recipe's tasks run the build machine's python3 (PYTHON).
# In pyrecipe every task already has it: PYTHON is the native environment's interpreter and its
# bin directory is on PATH, so this class sets nothing (OE's DEPENDS on python3-native is that
# environment here).
