"""An AWS Lambda handler for failed AWS Backup copies, the kind a team deploys behind an
EventBridge rule (`{"source": ["aws.backup"], "detail-type": ["Copy Job State Change"],
"detail": {"state": ["FAILED"]}}`) or a vault's SNS notification (`COPY_JOB_FAILED`).
It receives exactly what AWS sends: the EventBridge envelope, or SNS's `Records[].Sns`.
Test it offline with `copylab serve --events-to` / `--notifications-to` and adapter.py."""
import json


def handler(event, context):
    """Returns one alert per failed copy the event reports (and prints it, as a Lambda logs)."""
    alerts = []
    if event.get("source") == "aws.backup" and event.get("detail-type") == "Copy Job State Change":
        detail = event["detail"]
        if detail.get("state") == "FAILED":
            alerts.append({"via": "eventbridge", "account": event["account"],
                           "copyJobId": detail.get("copyJobId"), "message": detail.get("statusMessage")})
    for record in event.get("Records", []):
        sns = record.get("Sns", {})
        attributes = sns.get("MessageAttributes", {})
        if (attributes.get("EventType", {}).get("Value") == "COPY_JOB"
                and attributes.get("State", {}).get("Value") == "FAILED"):
            alerts.append({"via": "sns", "account": attributes["AccountId"]["Value"],
                           "copyJobId": attributes["Id"]["Value"], "message": sns.get("Message")})
    for alert in alerts:
        print(json.dumps(alert))
    return {"alerts": alerts}
