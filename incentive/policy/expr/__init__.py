"""policy/expr"""
