"""Vocabularies shared by every app: roles, region levels, audit event types."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a user is (C14). Scoping rules for each role live in core.permissions."""

    PUBLIC = "PUBLIC", _("公众")
    ENTERPRISE = "ENTERPRISE", _("企业")
    CERTIFICATION_BODY = "CERTIFICATION_BODY", _("认证机构")
    LAB = "LAB", _("检验检测机构")
    OFFICER = "OFFICER", _("监管人员")
    # An enforcement inspector (执法检查人员) who is not otherwise an officer: sees and records only the
    # inspection tasks they are assigned (C14 least privilege), nothing else of the back office.
    INSPECTOR = "INSPECTOR", _("执法检查人员")
    ADMINISTRATOR = "ADMINISTRATOR", _("系统管理员")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("市州")
    COUNTY = "county", _("县市区")


class AuditEventType(models.TextChoices):
    """Every kind of regulated change; one audit row per action."""

    REGION_LOADED = "REGION_LOADED", _("行政区划导入")
    REFERENCE_DATA_LOADED = "REFERENCE_DATA_LOADED", _("参考数据导入")
    ORGANIZATION_CREATED = "ORGANIZATION_CREATED", _("机构登记")
    ORGANIZATION_UPDATED = "ORGANIZATION_UPDATED", _("机构变更")
    CERTIFICATION_BODY_CREATED = "CERTIFICATION_BODY_CREATED", _("认证机构登记")
    LAB_CREATED = "LAB_CREATED", _("检验检测机构登记")
    LAB_SCOPE_ADDED = "LAB_SCOPE_ADDED", _("资质认定范围增加")
    SIGNATORY_AUTHORIZED = "SIGNATORY_AUTHORIZED", _("授权签字人批准")
    PERSON_CREATED = "PERSON_CREATED", _("人员登记")
    AFFILIATION_ADDED = "AFFILIATION_ADDED", _("人员任职")
    PERSON_ID_DIGESTS_REHASHED = "PERSON_ID_DIGESTS_REHASHED", _("人员身份证件摘要换钥")
    CERTIFICATE_CREATED = "CERTIFICATE_CREATED", _("证书登记")
    CERTIFICATE_UPDATED = "CERTIFICATE_UPDATED", _("证书内容变更")
    CERTIFICATE_STATUS_CHANGED = "CERTIFICATE_STATUS_CHANGED", _("证书状态变更")
    CERTIFICATE_SURVEILLANCE_RECORDED = "CERTIFICATE_SURVEILLANCE_RECORDED", _("监督审核记录")
    TEST_REPORT_CREATED = "TEST_REPORT_CREATED", _("检验检测报告登记")
    API_KEY_ISSUED = "API_KEY_ISSUED", _("接口密钥签发")
    API_KEY_REVOKED = "API_KEY_REVOKED", _("接口密钥吊销")
    API_KEY_ROTATED = "API_KEY_ROTATED", _("接口密钥轮换")
    SUBMISSION_RECEIVED = "SUBMISSION_RECEIVED", _("数据报送接收")
    SUBMISSION_FINISHED = "SUBMISSION_FINISHED", _("数据报送完成")
    SEAL_KEY_CREATED = "SEAL_KEY_CREATED", _("防伪签章密钥生成")
    SEAL_KEY_RETIRED = "SEAL_KEY_RETIRED", _("防伪签章密钥停用")
    RISK_GRADES_SET = "RISK_GRADES_SET", _("风险等级评定")
    INSPECTION_ITEM_CREATED = "INSPECTION_ITEM_CREATED", _("抽查事项登记")
    TARGET_POOL_CREATED = "TARGET_POOL_CREATED", _("检查对象名录库建立")
    INSPECTOR_CREATED = "INSPECTOR_CREATED", _("执法检查人员入库")
    INSPECTOR_LINKED = "INSPECTOR_LINKED", _("执法检查人员登录账号关联")
    PLAN_CREATED = "PLAN_CREATED", _("抽查计划制定")
    PLAN_PUBLISHED = "PLAN_PUBLISHED", _("抽查计划公告")
    BATCH_CREATED = "BATCH_CREATED", _("抽查任务制定")
    BATCH_COMMITTED = "BATCH_COMMITTED", _("抽查任务公告（随机源承诺）")
    BATCH_DRAWN = "BATCH_DRAWN", _("双随机抽取")
    TASK_RESULT_RECORDED = "TASK_RESULT_RECORDED", _("检查结果录入")
    TASK_RETURNED = "TASK_RETURNED", _("检查结果退回")
    TASK_PUBLISHED = "TASK_PUBLISHED", _("检查结果公示")
    RISK_SCORED = "RISK_SCORED", _("风险评分和预警")
    RISK_SIGNAL_RECORDED = "RISK_SIGNAL_RECORDED", _("风险信号登记")
    WARNING_DISMISSED = "WARNING_DISMISSED", _("预警排除")
    CASE_OPENED = "CASE_OPENED", _("处置案件立案")
    CASE_ASSIGNED = "CASE_ASSIGNED", _("处置案件指派")
    CASE_MEASURE_RECORDED = "CASE_MEASURE_RECORDED", _("处置措施记录")
    CASE_CLOSED = "CASE_CLOSED", _("处置案件办结")
    USER_CREATED = "USER_CREATED", _("用户创建")
    USER_CHANGED = "USER_CHANGED", _("用户角色或辖区变更")
    USER_DEACTIVATED = "USER_DEACTIVATED", _("用户停用")
    USER_REACTIVATED = "USER_REACTIVATED", _("用户恢复")
    USER_SECOND_FACTORS_RESET = "USER_SECOND_FACTORS_RESET", _("用户第二因素重置")
    # People and the labs' data migration (C1)
    AFFILIATION_ENDED = "AFFILIATION_ENDED", _("人员离任")
    LAB_DATA_MIGRATED = "LAB_DATA_MIGRATED", _("检验检测机构数据迁移")
    # Enterprise sign-up and organization links (C8)
    ACCOUNT_SIGNED_UP = "ACCOUNT_SIGNED_UP", _("企业账号注册")
    ACCOUNT_EMAIL_CONFIRMED = "ACCOUNT_EMAIL_CONFIRMED", _("账号电子邮箱确认")
    ORGANIZATION_LINK_REQUESTED = "ORGANIZATION_LINK_REQUESTED", _("申请关联机构")
    ORGANIZATION_LINK_WITHDRAWN = "ORGANIZATION_LINK_WITHDRAWN", _("撤回关联机构申请")
    ORGANIZATION_LINK_CONFIRMED = "ORGANIZATION_LINK_CONFIRMED", _("验证码确认关联机构")
    ORGANIZATION_LINK_APPROVED = "ORGANIZATION_LINK_APPROVED", _("监管人员批准关联机构")
    ORGANIZATION_LINK_REFUSED = "ORGANIZATION_LINK_REFUSED", _("监管人员驳回关联机构")
    ORGANIZATION_UNLINKED = "ORGANIZATION_UNLINKED", _("解除关联机构")
    # Organization stewardship (C1)
    ORGANIZATION_CONTACT_CHANGED = "ORGANIZATION_CONTACT_CHANGED", _("机构联系方式变更")
    PRODUCT_DECLARED = "PRODUCT_DECLARED", _("企业自报生产产品")
    PRODUCT_WITHDRAWN = "PRODUCT_WITHDRAWN", _("企业撤回自报产品")
    # Certification body stewardship (C1)
    CERTIFICATION_BODY_UPDATED = "CERTIFICATION_BODY_UPDATED", _("认证机构信息变更")
    CERTIFICATION_BODY_STATUS_CHANGED = "CERTIFICATION_BODY_STATUS_CHANGED", _("认证机构状态变更")
    CERTIFICATE_TRANSFERRED = "CERTIFICATE_TRANSFERRED", _("证书转移至其他认证机构")
    # Licensing (C8)
    APPLICATION_SUBMITTED = "APPLICATION_SUBMITTED", _("许可申请提交")
    APPLICATION_ACCEPTED = "APPLICATION_ACCEPTED", _("许可申请受理")
    APPLICATION_NOT_ACCEPTED = "APPLICATION_NOT_ACCEPTED", _("许可申请不予受理")
    APPLICATION_ASSIGNED = "APPLICATION_ASSIGNED", _("许可申请指派承办人")
    MATERIALS_REQUESTED = "MATERIALS_REQUESTED", _("通知补充材料")
    MATERIALS_ANSWERED = "MATERIALS_ANSWERED", _("补充材料提交")
    MATERIAL_UPLOADED = "MATERIAL_UPLOADED", _("申请材料上传")
    OPINIONS_REQUESTED = "OPINIONS_REQUESTED", _("征求部门意见")
    OPINION_ANSWERED = "OPINION_ANSWERED", _("部门意见答复")
    ONSITE_REVIEW_SCHEDULED = "ONSITE_REVIEW_SCHEDULED", _("现场评审安排")
    ONSITE_REVIEW_RECORDED = "ONSITE_REVIEW_RECORDED", _("现场评审结论")
    RECTIFICATION_RECORDED = "RECTIFICATION_RECORDED", _("整改结果")
    REVIEW_CONCLUDED = "REVIEW_CONCLUDED", _("技术评审结束")
    APPLICATION_DECIDED = "APPLICATION_DECIDED", _("许可决定")
    APPLICATION_WITHDRAWN = "APPLICATION_WITHDRAWN", _("许可申请撤回")
    LICENCE_ISSUED = "LICENCE_ISSUED", _("许可证颁发")
    LICENCE_STATUS_CHANGED = "LICENCE_STATUS_CHANGED", _("许可证状态变更")
    POST_APPROVAL_CHECK_RECORDED = "POST_APPROVAL_CHECK_RECORDED", _("告知承诺核查结论")
    APPLICATION_BAR_RECORDED = "APPLICATION_BAR_RECORDED", _("申请限制登记")
    LAB_CHANGED = "LAB_CHANGED", _("检验检测机构资质变更")
    LAB_SCOPE_ENDED = "LAB_SCOPE_ENDED", _("资质认定范围缩减")
    SIGNATORY_ENDED = "SIGNATORY_ENDED", _("授权签字人终止")
    APPLICATION_REDATED = "APPLICATION_REDATED", _("许可申请日期前移（演示数据）")
    # C9: bans
    BAN_IMPOSED = "BAN_IMPOSED", _("限制措施登记")
    BAN_LIFTED = "BAN_LIFTED", _("限制措施解除")
    # C9: integrity archives, joint punishment
    JOINT_PUNISHMENT_QUERIED = "JOINT_PUNISHMENT_QUERIED", _("联合惩戒查询")
    CREDIT_REPAIRED = "CREDIT_REPAIRED", _("信用修复")
    # C10: complaints
    COMPLAINT_FILED = "COMPLAINT_FILED", _("投诉举报提交")
    COMPLAINT_ACCEPTED = "COMPLAINT_ACCEPTED", _("投诉举报受理")
    COMPLAINT_FORWARDED = "COMPLAINT_FORWARDED", _("投诉举报移送")
    COMPLAINT_EXTENDED = "COMPLAINT_EXTENDED", _("举报核查期限延长")
    COMPLAINT_CONCLUDED = "COMPLAINT_CONCLUDED", _("投诉举报办结")
    COMPLAINT_REMINDERS_SENT = "COMPLAINT_REMINDERS_SENT", _("投诉举报期限提醒")
    COMPLAINT_REDATED = "COMPLAINT_REDATED", _("投诉举报日期前移（演示数据）")
    # C7: CCC market control
    DECLARATION_REGISTERED = "DECLARATION_REGISTERED", _("自我声明登记")
    DECLARATION_WITHDRAWN = "DECLARATION_WITHDRAWN", _("自我声明撤回")
    MARKET_CHECKS_RECORDED = "MARKET_CHECKS_RECORDED", _("市场检查登记")
    MARKET_SAMPLE_REPORTED = "MARKET_SAMPLE_REPORTED", _("抽样检验报告关联")
    CAMPAIGN_CREATED = "CAMPAIGN_CREATED", _("专项整治创建")


class ApiScope(models.TextChoices):
    """What an API key may do beyond reading public data (C14 least privilege). Every endpoint that
    writes declares the scope it needs (core.api_auth.require_scope)."""

    READ = "read", _("读取本机构的非公开数据")
    SUBMIT_CERTIFICATES = "submit_certificates", _("报送证书和证书状态")
    SUBMIT_REPORTS = "submit_reports", _("报送检验检测报告")
    # The joint punishment queries of 联合惩戒 (POST /api/v1/joint-punishment/query, integrity/api.py).
    JOINT_PUNISHMENT_QUERY = "joint_punishment_query", _("联合惩戒查询")
    # Licensing (C8)
    LICENSING = "licensing", _("办理行政许可申请")
