from tenants.access import public


@public
def openapi():
    return {"openapi": "3.1.0"}
