"""The words the Litmos simulator refuses with, quoted from the evidence.

`SEED_*` come from Litmos's developer page (shared/seeds/004_*), the others from the
OpenAPI document's response descriptions for the operation named (one alternative of
an "A OR B" description, verbatim, whitespace folded), `CAPTURED_*` from a cassette.
tests/sandbox/test_litmos_spec.py checks that each quote is found where it says.
"""

from __future__ import annotations

# -- seed ----------------------------------------------------------------------
SEED_BAD_REQUEST = "Bad Request. Check that your Uri and request body is well formed"
SEED_FORBIDDEN = "Forbidden. Check your API key, HTTPS setting, Source parameter etc"
# "the API will return HTTP 503 (Service Unavailable) - Rating Limit Exceeded"
SEED_RATE_LIMITED = "Rating Limit Exceeded"

# -- spec: shared by many operations ---------------------------------------------
SPEC_RATE_LIMITED = "The API rating limit has been exceeded"  # GET /achievements 503, and others
SPEC_BAD_REQUEST = "Bad Request. Please check that your URI and request body are properly formed."
SPEC_TOO_MANY = (  # GET /results/details 406 (sic: "maxminum")
    "The maxminum number of records to return is 1000. You can use paging parameters to "
    "return records in groups of 1000"
)
SPEC_BAD_SINCE = (  # GET /results/details 406; the simulator names `to=` for a bad `to`
    "Please provide a valid 'since=' query string parameter. Valid formats are "
    "'yyyy-MM-dd HH:mm:ss' or 'yyyy-MM-dd HH:mm' or 'yyyy-MM-dd'"
)

# -- spec: users -------------------------------------------------------------------
CREATE_USER_BAD_BODY = "Please check the xml/json in the body of the request."  # POST /users 400
UPDATE_USER_BAD_BODY = "Please check the xml/json in the body of the request"  # PUT 400
MOBILE_REQUIRED = "Mobile Number required to enable text message notifications"  # POST/PUT 400
BAD_MOBILE = (  # POST and PUT /users 400
    "Invalid Phone Number. The mobile phone should be in this format +15554443333. "
    "Be sure to include your country code."
)
CAPTURED_USERNAME_TAKEN = "UserName already exists"  # create-user-already-exists.yml; spec 409
SHORT_USERNAME = "Username must be greater than 3 characters."  # POST /users 409
BAD_USERNAME = "Invalid special character's in the username."  # POST and PUT /users 409
CREATE_BAD_EMAIL = "Invalid email address."  # POST /users 409
UPDATE_BAD_EMAIL = "Invalid email address"  # PUT /users/{userId} 409
BAD_CULTURE = "Culture is invalid"  # POST and PUT /users 409
BAD_JOB_ROLE = "Job Role is invalid"  # POST and PUT /users 409
IDS_DIFFER = (  # PUT /users/{userId} 404
    "Please check the userid in the xml/json and the userid in the URL. They must match."
)
BAD_MANAGER = "The manager Id in the xml/json is not valid."  # PUT /users/{userId} 404
NO_USER = "User - userId was not found"  # GET /users/{userId} 404
NO_USER_TO_DELETE = "No user with this id exists in your organization"  # DELETE 404

# -- spec: teams ---------------------------------------------------------------------
TEAM_BAD_BODY = "Please check the xml/json included with this call"  # POST /teams 400
TEAM_NAME_TAKEN = "Team name already exists"  # POST /teams 409
NO_TEAM = "No team with this teamId exists in your organization"  # GET /teams/{teamId} 404
NO_TEAM_OR_USERS = (  # POST /teams/{teamId}/users 404
    "No team with this id exists in your organization, or the user list is empty."
)
NO_TEAM_OR_USER = (  # DELETE /teams/{teamId}/users/{userId} 404
    "No team with this id exists in your organization, or no user exists with this id"
)

# -- spec: courses -------------------------------------------------------------------
NO_COURSE = "The course courseId does not exist."  # GET /courses/{courseId} 404
NO_BULK_IMPORT = "Bulk Import Id was not found."  # GET /bulkimports/{bulkImportId} 400

# -- decided: refusals the evidence gives no words for ---------------------------------
JSON_ONLY = "The sandbox answers JSON only: add format=json"
JSON_BODIES_ONLY = "The sandbox reads JSON bodies only: send Content-Type: application/json"
NOT_A_MEMBER = "The user is not a member of the team"
NOT_ASSIGNED = "The course is not assigned to the user"
