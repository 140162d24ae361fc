"""policy/checks"""
