"""Version 1 of the work report's wording (工作综述): the default sentences, in force for every
period. The text is frozen here; later versions are written by the county organisation department."""

import datetime

from django.db import migrations

SENTENCES = {
    "opening": (
        "{period}，{node}坚持以党建引领基层治理，"
        "[受理群众诉求{cases.received}件、办结{cases.closed}件，]"
        "[召开联席会议{cobuilding.meetings_held}次，]"
        "[梳理需求清单{cobuilding.needs}项，]"
        "[在职党员到社区报到{members.reported}名、参与服务{members.services}次，]各项工作有序推进。"
    ),
    "structure.grids": (
        "{node}共划分一级网格{structure.grids}个"
        "[、二三级网格{structure.grids_nested}个]"
        "[，登记楼栋{structure.buildings}栋]。"
    ),
    "structure.organisations": (
        "建立党组织{structure.organisations}个"
        "[，其中党支部（含网格党支部）{structure.branches}个]"
        "[，现有正式党员{structure.members_full}名]"
        "[、预备党员{structure.members_probationary}名]。"
    ),
    "structure.roles": (
        "健全“两委”“三长”“四员”组织体系，在岗{structure.roles_234}人次"
        "[，其中“两委”{structure.two_committees}人次]"
        "[、“三长”{structure.three_heads}人次]"
        "[、“四员”{structure.four_helpers}人次]"
        "[；35岁以下的占{structure.roles_234_young_share}]"
        "[，女性占{structure.roles_234_women_share}]。"
    ),
    "cases.intake": (
        "{period}，{node}共受理群众诉求{cases.received}件"
        "[，办结{cases.closed}件]"
        "[，其中办结未解决{cases.closed_unsolved}件]"
        "[，办结用时中位数{cases.days_to_close}天]。"
    ),
    "cases.rates": (
        "按照“群众点单、社区派单、党员接单”流程派单{cases.dispatched}件"
        "[，响应率{cases.response_rate}]"
        "[，解决率{cases.resolution_rate}]"
        "[，满意率{cases.satisfaction_rate}]。"
    ),
    "cases.whistle": (
        "[吹哨上报{cases.whistled}件]"
        "[，报到响应{cases.reported_back}件]"
        "[；督办{cases.supervised}件][，超时{cases.overdue}件]。"
    ),
    "cases.open": ("截至目前，尚在办理的诉求{cases.open}件。"),
    "cobuilding.units": (
        "{node}现有共建单位{cobuilding.units}家"
        "[，其中红色物业{cobuilding.red_property}家]"
        "[；组建大党委、党建联盟等{cobuilding.alliances}个]"
        "[，成员单位{cobuilding.alliance_members}个]"
        "[；结对共建{cobuilding.pairings}对]"
        "[，签订共建协议{cobuilding.agreements}份]。"
    ),
    "cobuilding.meetings": (
        "{period}，{node}共召开联席会议{cobuilding.meetings_held}次"
        "[，形成决议{cobuilding.decisions}项]"
        "[，梳理需求清单{cobuilding.needs}项]"
        "[，已认领{cobuilding.needs_claimed}项]"
        "[，认领率{cobuilding.needs_claimed_share}]"
        "[，已办结{cobuilding.needs_met}项]。"
    ),
    "cobuilding.tasks": (
        "联席会议决议到期跟进事项{cobuilding.tasks}项"
        "[，已完成{cobuilding.tasks_done}项]"
        "[，完成率{cobuilding.tasks_done_share}]。"
    ),
    "cobuilding.projects": (
        "[资源清单现有可用资源{cobuilding.resources}项；]推进项目清单项目{cobuilding.projects}个"
        "[，完成交付{cobuilding.projects_delivered}个]"
        "[，其中为民办实事{cobuilding.practical_done}件]"
        "[；认领书记项目{cobuilding.secretary_projects}个]"
        "[，已完成{cobuilding.secretary_done}个]。"
    ),
    "members.reported": (
        "在职党员到社区报到{members.reported}名"
        "[，完成年度目标的{members.reported.share}]"
        "[，其中本期新报到{members.reported_new}名]"
        "[；单位党组织到社区报到{members.unit_reports}个]。"
    ),
    "members.services": (
        "党员参与志愿服务{members.services}次"
        "[，累计服务{members.service_hours}小时]"
        "[，服务2次以上的党员{members.two_services}名]。"
    ),
    "members.activities": (
        "开展各类活动{members.activities}场次"
        "[，参与{members.attendance}人次]"
        "[；现有服务队伍{members.teams}支][，出动{members.callouts}次]。"
    ),
    "partylife.meetings": ("各党支部召开“三会一课”{partylife.meetings}次[，落实率{partylife.compliance}]。"),
    "partylife.development": (
        "发展党员{partylife.admitted}名"
        "[，完成年度计划的{partylife.admitted.share}]"
        "[；发展党员在册档案{partylife.development_open}份]"
        "[，其中时限预警{partylife.development_warnings}份]。"
    ),
    "partylife.training": (
        "[举办培训班{partylife.training_classes}期]"
        "[，参训累计{partylife.training_hours}学时]"
        "[；在外流动党员{partylife.mobile_away}名，纳入流动党员管理]。"
    ),
}


def version_1(apps, schema_editor):
    ReportWording = apps.get_model("statistics", "ReportWording")
    ReportWording.objects.get_or_create(
        version=1,
        defaults={
            "valid_from": datetime.date(2000, 1, 1),
            "sentences": SENTENCES,
            "note": "默认措辞（第1版）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_targets_wording_displays")]
    operations = [migrations.RunPython(version_1, migrations.RunPython.noop)]
