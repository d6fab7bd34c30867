from rest_framework import serializers


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The new key: send it as `Authorization: Token <key>`.")
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="null: API_TOKEN_MAX_AGE_DAYS is 0 (no limit).")
