# copylab トレーニングラボ: 日本語。キーは en.ftl と共通です (両方にすべてのキーがあることをテストで確認します)。
# `dx-*` はルールエンジンの診断文です (crates/rules の `text!` ID で、`.` を `_` と表記したもの):
# en.ftl の `dx-*` は、エンジンの英語テンプレートと一致することをテストで確認します。AWS のメッセージはここには含めません:
# AWS が表示するとおり、そのまま表示します。

lang-name = 日本語
lab-title = copylab トレーニングラボ
lab-tagline = AWS Backup のクロスアカウントコピーを失敗させ、その原因を突き止めて修正し、コピーが完了するのを確認しましょう。
nav-catalog = 演習
nav-exam = 試験
nav-jobs = ジョブ一覧
nav-language = 言語
skip-to-content = コンテンツにスキップ
not-found-intro = このアドレスにはページがありません。演習はカタログに、中立な ID (ex- と 16 進数 8 桁) で載っています。シナリオ名によるリンクは残していません。名前から演習の答えがわかってしまうためです。

catalog-heading = 演習
catalog-intro = 各演習は、AWS と同じように失敗するコピージョブです。原因を見つけ、その原因となっている設定を変更して、再試行してください。
catalog-group-worked = 解説付きの例: 正常に完了するコピー
catalog-group-same-account = 同じアカウントとリージョン内でのコピー
catalog-group-cross-account = 別のアカウントへのコピー
catalog-group-cross-region = 別のリージョンへのコピー
catalog-group-cross-account-region = 別のアカウントとリージョンへのコピー
catalog-group-unknown = その他のコピーリクエスト
catalog-difficulty = 難易度: { $level ->
    [1] 易しい
    [2] 普通
   *[3] 難しい
}
catalog-open = 演習 { $id } を開く: { $title }
catalog-line = { $source } から { $destination } への { $resource }
catalog-plan = バックアッププラン { $plan } のルール { $rule }（{ $schedule } { $timezone }）が開始
exercise-id = 演習 { $id }
title-resource = { $resource } の復旧ポイント
title-resource-unknown = 復旧ポイント
title-same-account = { $what }を同じアカウントとリージョンの別のボールトへコピー ({ $source_region })
title-cross-account = { $what }を別のアカウントへコピー ({ $source_region })
title-cross-region = { $what }を同じアカウントの別のリージョンへコピー ({ $source_region } から { $destination_region })
title-cross-account-region = { $what }を別のアカウントとリージョンへコピー ({ $source_region } から { $destination_region })
title-unknown = { $what }を { $source_region } からコピー
exercise-solved-scenario = この演習は組み込みシナリオ { $name } です。
session-gone = このリンクのセッションは終了しました（ラボが保持するセッション数には上限があります）。最初から新しいセッションを始めます。

world-heading = 構成
world-organization = 組織 { $id }
world-no-organization = 組織なし
world-account = アカウント { $id }
world-management = 管理アカウント
world-source = コピー元
world-destination = コピー先
world-vault = ボールト { $name }
world-key = キー { $key }
world-policy-badge = ポリシー
world-copy = コピー
world-role = IAM ロール { $role }
world-tag = タグ { $key }={ $value }
world-svg-title = この演習のアカウント、ボールト、キーと、それらの間のコピー
world-cross-account-on = クロスアカウントバックアップ: オン
world-cross-account-off = クロスアカウントバックアップ: オフ
world-summary = アカウント { $source } ({ $source_region }) のボールト { $vault } にある { $resource } の復旧ポイント { $arn } を、ロール { $role } を使用して、アカウント { $destination } ({ $destination_region }) のボールト { $destination_vault } にコピーします。

job-heading = コピージョブ
job-start = コピージョブを開始
job-retry = コピージョブを再試行
job-state = ステータス
job-status-message = ステータスメッセージ
job-message-category = メッセージカテゴリ
job-id = コピージョブ ID
job-api-error = StartCopyJob が拒否されました: { $code }
job-completed = コピーが完了しました: 演習クリアです。
job-event = 監視が受け取る EventBridge のイベント
job-running = ジョブを実行中です…

investigate-heading = 調査
investigate-question = どのチェックが失敗しましたか?
investigate-submit = 回答を確認
investigate-correct = 正解です: これが失敗したチェックです。
investigate-wrong = 違います: このチェックはここでは合格しています。メッセージと構成をもう一度確認してください。

fix-heading = 修正
fix-intro = AWS で行うのと同じように構成を変更してから、コピージョブを再試行してください。
fix-key-policy = { $key } のキーポリシー
fix-vault-policy = ボールト { $vault } のアクセスポリシー
fix-role = ロール { $role }: 信頼ポリシー、インラインポリシー、マネージドポリシー (JSON)
fix-role-trust = ロール { $role } の信頼ポリシー
fix-role-inline = ロール { $role } のインラインポリシー { $name }
fix-cross-account = 組織の管理アカウントでのクロスアカウントバックアップ
fix-cross-account-on = クロスアカウントバックアップをオンにする
fix-cross-account-off = クロスアカウントバックアップをオフにする
fix-tag = 復旧ポイント { $arn } のタグ
fix-tag-key = タグキー
fix-tag-value = タグ値
fix-join = アカウント { $account } は組織 { $org } に属していません
fix-join-button = アカウント { $account } を招待して承諾する
fix-key-enabled = キー { $key } の状態: { $state }
fix-enable-key = キーを有効にする
fix-disable-key = キーを無効にする
fix-lifecycle = コピーの保持期間 (日)
fix-fault = 挿入された障害 { $fault }
fix-remove-fault = 挿入された障害を取り除く
fix-dynamodb = アカウント { $account }、{ $region } の DynamoDB の高度な機能
fix-dynamodb-on = 高度な機能をオンにする
fix-dynamodb-is-on = 高度な機能は有効です。
fix-apply = 変更を適用
fix-applied = 変更しました。コピージョブを再試行してください。
fix-apply-to = 対象: { $target }
fix-invalid = ポリシーが有効ではありません:
fix-error-at = { $line } 行目、{ $column } 列目: { $message }
fix-no-setting = 設定で解決できない場合、どうしますか?
fix-choose = 選択
fix-alternative-correct = 正解です: AWS のドキュメントに従うと、残される方法はこれです。
fix-alternative-wrong = それではこのコピーは成功しません。

hint-heading = ヒント
hint-next = ヒントを表示
hint-none = これ以上ヒントはありません。
answer-show = 答えを表示
answer-heading = 答え
answer-failed-check = 失敗したチェック
answer-evidence = copylab が検出した内容
answer-fix = 修正方法
answer-commands = AWS CLI コマンド
answer-alternatives = 代替案
answer-provenance = メッセージの出典: { $source }
answer-scenario = 組み込みシナリオ: { $name } (copylab explain { $name } でも同じ診断が得られます)

exam-heading = 試験
exam-intro = シード { $seed } から選ばれた { $count } 問の演習です。チームにも同じリンクを共有してください: 同じシードからは同じ試験が生成されます。
exam-question = 全 { $count } 問中 { $number } 問目
exam-start = 試験を開始
exam-next = 次へ
exam-score = スコア: { $count } 問中 { $score } 問正解
exam-missed = 見逃した失敗パターン
exam-none-missed = 見逃した失敗パターンはありません。
exam-again = 別の試験を受ける
exam-generated = 自動生成された構成 (シード { $seed })
exam-seed = シード
exam-count = 問題数

jobs-heading = ジョブ一覧
jobs-intro = このサーバーで実行されたすべてのコピージョブを新しい順に表示します。API 経由でツールから開始したジョブも含まれます。
jobs-empty = コピージョブはまだありません。
jobs-why = 失敗した理由
jobs-events = EventBridge のイベント
jobs-diagnosis = 診断
jobs-origin-api = API 経由
jobs-origin-lab = ラボ: 演習 { $exercise }
jobs-account = アカウント
jobs-created = 作成日時
diagnosis-heading = コピージョブ { $id } が { $state } で終了した理由

check-organization-membership = 同じ組織
check-cross-account-setting = クロスアカウントバックアップの設定
check-resource-type-support = リソースタイプとリージョンのサポート
check-source-encryption = コピー元の暗号化
check-key-state = キーの状態
check-source-key-policy = コピー元の KMS キーポリシー
check-destination-key-policy = コピー先ボールトの KMS キーポリシー
check-control-policies = SCP と RCP
check-iam-role = コピーに使用する IAM ロール
check-destination-vault-policy = コピー先のボールトアクセスポリシー
check-tag-policy = 組織のタグポリシー
check-vault-lock-retention = ボールトロックの保持期間
check-injected-fault = 挿入された障害
check-request = StartCopyJob リクエスト
check-result-pass = 合格
check-result-fail = 失敗
check-result-skip = スキップ
check-result-indeterminate = 判定不能

quiz-title = copylab クイズ
quiz-question-cause = どのチェックが失敗しましたか?
quiz-question-fix = どうすれば修正できますか?
quiz-prompt = 回答 ({ $first }-{ $last }):
quiz-correct = 正解です。
quiz-wrong = 惜しい: 正解は { $answer } です。
quiz-score = スコア: { $count } 問中 { $score } 問正解
quiz-missed = 見逃した失敗パターン: { $modes }
quiz-message = AWS のメッセージ:
quiz-no-fix = 修正できる設定はありません: { $alternative }


# ルールエンジンの診断文。

dx-check_not-run = 評価されていません: StartCopyJob がリクエストを拒否しました
dx-check_unknown = 不明: { $fact } ({ $reason })。確定するには、アカウント { $account } で `{ $command }` を実行してください
dx-encryption_aws-managed-source = AWS Backup によるフルマネージドではないリソースタイプのクロスアカウントコピーには、コピー元にカスタマーマネージドキーが必要です: AWS マネージド KMS キーのポリシーは変更できないため、共有できません
dx-encryption_default-vault-key = AWS Backup によるフルマネージドではないリソースタイプは、AWS マネージド KMS キー aws/backup で暗号化されたボールトにはコピーできません
dx-encryption_default-vault-key-same-account = AWS は、AWS Backup によるフルマネージドではないリソースタイプを aws/backup のボールトへコピーできないことを、別のアカウントまたはリージョンへのコピーについてのみ文書化しています。同じアカウント・同じリージョン内のコピーについてはそのようなルールを文書化していないため、copylab はコピーを通します
dx-encryption_lag-aws-managed = 論理的にエアギャップされたボールトは、AWS Backup によるフルマネージドではないリソースタイプを、カスタマーマネージドキーで暗号化されたものだけ受け入れます。それらには AWS マネージド KMS キーはサポートされていません
dx-encryption_lag-unencrypted-cluster = 暗号化されていない Aurora、DocumentDB、Neptune のクラスターは、論理的にエアギャップされたボールトではサポートされていません
dx-encryption_lag-unencrypted-undecided = コピー元のバックアップは暗号化されていません。AWS のページは、フルマネージドではないリソースタイプのコピー元はカスタマーマネージドキーで暗号化されている必要があるとしていますが、サポートされないものとして挙げているのは暗号化されていない Aurora、DocumentDB、Neptune のクラスターだけで、その他の暗号化されていないリソースタイプの結果は文書化していません。copylab はコピーを通し、このチェックを未確定とします
dx-encryption_lag-copy-out = 論理的にエアギャップされたボールトから標準のボールトへのコピーはカスタマーマネージドキーで暗号化されている必要がありますが、コピー先ボールトのキーは AWS マネージドです
dx-encryption_default-vault-cross-account = コピー先は、aws/backup で暗号化されたそのアカウントの Default ボールトです。AWS のクロスアカウントのページは、コピー先のボールトをデフォルトボールト (その鍵は他のアカウントと共有できません) にはできないとする一方、同じページで AWS Backup がフルマネージドするリソースタイプには aws/backup を認めています。どちらのルールが優先されるか、このコピーにどのメッセージが返るかを AWS は示していないため、copylab は狭い方のルールを適用し、デフォルトキーのメッセージを返します (copylab 独自の選択です)
dx-encryption_destination-key = コピー先ボールトのキー: { $key }
dx-encryption_sgw = Storage Gateway のコピーには、コピー先に、カスタマーマネージドキーを使用するユーザー作成のボールトが必要です
dx-encryption_source-key = { $resource_type } の AWS Backup による管理: { $managed }。そのため、コピー元のキー ({ $which }): { $key }
dx-fault_injected = シナリオが障害 `{ $fault }` を挿入しています
dx-fault_none = シナリオは障害を挿入していません
dx-keypolicy_aws-managed = コピー元のキーは AWS マネージド KMS キーまたは AWS 所有のキーです: そのポリシーは変更できません (「コピー元の暗号化」を参照)
dx-keypolicy_missing = コピー元のキーが存在しません (「キーの状態」を参照)
dx-keypolicy_none = コピー元のキーには、copylab が読み取れるポリシーがありません
dx-keypolicy_request = { $principal } による { $action }: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-keypolicy_same-account = 同一アカウント内のコピー: コピー元のキーはそのキー自身のアカウント内で使用されます
dx-keypolicy_service = コピーは { $via_service } を通じてコピー元のキーを使用します ({ $source })
dx-keypolicy_unencrypted = コピー元のバックアップは暗号化されていません
dx-dkeypolicy_aws-managed = コピー先ボールトのキーは AWS マネージド KMS キーまたは AWS 所有のキーです: そのポリシーは、そのアカウント内での AWS Backup による使用を許可しています
dx-dkeypolicy_missing = コピー先ボールトのキーが存在しません (「キーの状態」を参照)
dx-dkeypolicy_no-caller = コピーロールの ARN から呼び出し元を特定できません
dx-dkeypolicy_no-vault = コピー先ボールトが存在しません (「コピー先ボールトのアクセスポリシー」を参照)
dx-dkeypolicy_none = コピー先ボールトのキーには、copylab が読み取れるポリシーがありません
dx-dkeypolicy_request = { $principal } による { $action }: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-dkeypolicy_writer = AWS Backup は { $principal } として、backup.{ $region }.amazonaws.com を通じて { $key } でコピーを書き込みます (このプリンシパルは copylab の解釈です。AWS は文書化していません)
dx-keys_alt-destination-missing = キーが存在する別のボールトにコピーします
dx-keys_alt-missing = キーが削除されたバックアップは復号できません: 別の復旧ポイントをコピーしてください
dx-keys_destination-missing = コピー先ボールトのキー `{ $key }` が存在しません
dx-keys_destination-state = コピー先ボールトのキー { $key } の状態: { $state }
dx-keys_source-missing = コピー元のキー `{ $key }` が存在しません
dx-keys_source-state = コピー元のキー { $key } の状態: { $state }
dx-keys_source-unencrypted = コピー元のバックアップは暗号化されていません
dx-lock_no-vault = コピー先ボールトが存在しません (「コピー先のボールトアクセスポリシー」を参照)
dx-lock_none = コピー先ボールトには保持期間の制限がありません
dx-lock_range = コピー先ボールトはコピーを { $min } 日から { $max } 日の間保持します。コピーの保持期間は { $retention } です
dx-lock_minus-one = コピーは DeleteAfterDays -1 を指定しています。StartCopyJob のリファレンスではコピーを無期限に保持する意味ですが、コピー元の復旧ポイントの保持期間を引き継ぐと読むと { $source } です
dx-lock_minus-one-undecided = 二つの読み方で、コピー先ボールトのロックがこのコピーを受け入れるかどうかが食い違い、AWS は一つの答えを文書化していません。copylab はコピーを通し、このチェックを未確定とします
dx-lock_lag-no-expiry-undecided = コピーは期限切れにならず、論理的にエアギャップされたボールトには最大保持期間があります。DeleteAfterDays のないコピーがボールトの MaxRetentionDays に対してどう判定されるかを AWS はどこにも文書化していないため、copylab はコピーを通し、このチェックを未確定とします
dx-org_member = アカウント { $account } は組織 { $org } に属しています
dx-org_not-member = アカウント { $account } はどの組織にも属していません
dx-org_same-account = 同一アカウント内のコピー: 組織は不要です
dx-remedy_cmk-vault = ボールトのキーは変更できません: アカウント { $account } に、カスタマーマネージドキーで暗号化したボールト `{ $name }` を作成し、そのボールトにコピーしてください
dx-remedy_create-org = アカウント { $source } で組織を作成し、アカウント { $destination } を招待してください
dx-remedy_create-role = backup.amazonaws.com が引き受けることのできるロール { $role } を作成し、AWS マネージドポリシー AWSBackupServiceRolePolicyForBackup をアタッチしてください
dx-remedy_create-vault = アカウント { $account } の { $region } に、カスタマーマネージドキーと、アカウント { $source } を許可するアクセスポリシーを設定したボールト `{ $name }` を作成してください
dx-remedy_default-role = デフォルトのロール AWSBackupDefaultServiceRole を使用してください。AWS Backup はこのロールをこれらのアクセス許可付きで作成します
dx-remedy_dynamodb = アカウント { $account } の { $region } で DynamoDB 用の AWS Backup の高度な機能をオンにしてから、テーブルを再度バックアップし、新しい復旧ポイントをコピーしてください
dx-remedy_dynamodb-again = アカウント { $account }、{ $region } では DynamoDB 用の AWS Backup の高度な機能が有効になっています。テーブルをもう一度バックアップし、新しい復旧ポイントをコピーしてください
dx-remedy_enable-cross-account = 管理アカウント { $management } でクロスアカウントバックアップをオンにしてください
dx-remedy_enable-key = キー { $key } を有効にしてください
dx-remedy_fault = 挿入された障害です: 設定には原因がありません。コピーを再試行してください (copylab では障害を取り除いてください)
dx-remedy_fault-support = 実際のジョブで AWS がこのメッセージを表示した場合は、ジョブを再試行してください。繰り返し発生する場合は AWS サポートにお問い合わせください
dx-remedy_join-org = アカウント { $account } を、もう一方のアカウントが属する組織 { $org } に参加させてください
dx-remedy_join-org-leave = 別の組織に属しているアカウントは、先にその組織から脱退する必要があります (そのアカウントから aws organizations leave-organization を実行します)
dx-remedy_key-policy = { $key } のキーポリシーでコピー先アカウント { $destination } を許可してください
dx-remedy_key-policy-deny = { $key } のキーポリシーから Deny ステートメント { $indexes } を削除してください
dx-remedy_dkey-policy = コピー先ボールトのキー { $key } を AWS Backup 経由で使用することを、アカウント { $account } に許可してください
dx-remedy_dkey-policy-deny = コピー先ボールトのキー { $key } のキーポリシーから Deny ステートメント { $indexes } を削除してください
dx-remedy_no-setting = これを修正できる設定はありません: 代替案を参照してください
dx-remedy_reencrypt = リソースの暗号化キーは変更できません: アカウント { $destination } と共有したカスタマーマネージドキーを使用して { $resource } をバックアップから復元し、再度バックアップしてから、その復旧ポイントをコピーしてください
dx-remedy_reencrypt-how = 復元時に新しいキーを選択して復旧ポイントを復元し、その後、復元したリソースのバックアップを開始してください
dx-remedy_rename-tag = リソース (その後、再度バックアップしてください) とフルマネージドの復旧ポイントで、タグキーを `{ $key }` ではなく `{ $required }` と記述してください
dx-remedy_retention = コピーの保持期間を、コピー先ボールトの制限内である { $days } 日に設定してください
dx-remedy_role-deny = ロール { $role } のポリシーから、backup:CopyIntoBackupVault に対する Deny を削除してください
dx-remedy_role-copy-from = ロール { $role } のポリシーで backup:CopyFromBackupVault を許可してください
dx-remedy_role-copy-from-deny = ロール { $role } のポリシーから backup:CopyFromBackupVault に対する Deny を削除するか、backup:CopyTargets でこのコピー先を許可してください
dx-remedy_role-boundary = ロール { $role } のアクセス許可の境界 { $boundary } はコピーを許可していません。境界を削除するか、backup:CopyIntoBackupVault と backup:CopyFromBackupVault を許可する境界を設定してください
dx-remedy_role-boundary-remove = アクセス許可の境界を削除します: aws iam delete-role-permissions-boundary --role-name { $name }
dx-remedy_role-boundary-replace = コピーを許可する境界を設定します: aws iam put-role-permissions-boundary --role-name { $name } --permissions-boundary { $arn }
dx-remedy_role-managed = AWS マネージドポリシー { $arn } をアタッチしてください。このポリシーは、すべてのバックアップボールトに対してこのアクションを許可します
dx-remedy_role-policy = ロール { $role } のポリシーで、{ $vault } に対する backup:CopyIntoBackupVault を許可してください
dx-remedy_set-tag = リソース (その後、再度バックアップしてください) とフルマネージドの復旧ポイントで、タグ `{ $key }` に `{ $value }` などの許可された値を設定してください
dx-remedy_tag-policy-alt = 管理アカウントでタグポリシーを変更し、コピーのリソースタイプに対してこのタグを適用しないようにしてください
dx-remedy_trust = backup.amazonaws.com がロール { $role } を引き受けられるようにしてください
dx-remedy_two-step = 2 段階でコピーしてください: まず、アカウント { $source } 内でリージョン間のコピー ({ $source_region } から { $destination_region }) を行い、次に、{ $destination_region } 内でアカウント { $destination } へのアカウント間のコピーを行います
dx-remedy_two-step-date = 2025-10-01 以降の日付 (as_of) をモデル化してください。この日以降、AWS Backup はこれらのスナップショットを 1 回のアクションでリージョン間およびアカウント間でコピーします
dx-remedy_vault-deny = ボールト `{ $name }` のアクセスポリシーから Deny ステートメント { $indexes } を削除してください
dx-remedy_vault-org = 代わりに組織全体を許可してください: Principal "*" と、aws:PrincipalOrgID に対する StringEquals 条件を使用します
dx-remedy_vault-policy = アカウント { $source } がボールト `{ $name }` にコピーできるように許可してください (ボールトのアクセスポリシーで backup:CopyIntoBackupVault を許可します)
dx-request_bad-role-arn = `{ $arn }` は arn:aws:iam::ACCOUNT:role/NAME の形式ではありません
dx-request_bad-vault-arn = `{ $arn }` は arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME の形式ではありません
dx-request_missing = リクエストに、StartCopyJob で必須の `{ $member }` がありません
dx-request_missing-any = 必須のメンバーがありません
dx-request_no-recovery-point = ボールト `{ $vault }` に復旧ポイント `{ $arn }` がありません
dx-request_no-source-vault = アカウント { $account } の { $region } にバックアップボールト `{ $vault }` がありません。存在しないボールトに対して、AWS は AccessDenied を返します
dx-request_not-copyable = 復旧ポイント `{ $arn }`: { $reason }
dx-request_retention-range = コピーの DeleteAfterDays は { $days } です。-1 (無期限に保持) または 1 から 36500 の値でなければなりません
dx-request_cold-storage-gap = コピーは { $cold } 日後にコールドストレージへ移り、{ $delete } 日後に削除されます。復旧ポイントはコールドストレージに最低 90 日間置かれます
dx-role_bad-session = ロールのセッション ARN を作成できませんでした
dx-role_boundary = アクセス許可の境界 { $boundary } の範囲での { $action }: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-role_copy-from = { $vault } へのコピーのための、{ $recovery_point } に対する { $session } による backup:CopyFromBackupVault: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-role_identity = { $vault } に対する { $session } による backup:CopyIntoBackupVault (アイデンティティベースのポリシー側): { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-role_missing = ロール { $role } はこの構成に存在しません
dx-role_other-account = ロール { $role } はアカウント { $account } にあり、コピー元アカウント { $source } にはありません
dx-role_trust = { $role } に対する backup.amazonaws.com による sts:AssumeRole: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-role_unknown-boundary = アクセス許可の境界 { $arn } は copylab が認識していないポリシーです: 何も許可しないものとして扱います
dx-role_unknown-managed = マネージドポリシー { $arn } は copylab が認識していないポリシーです: 何も許可しないものとして扱います
dx-setting_no-org = コピー元アカウントはどの組織にも属していません (「同じ組織」を参照)
dx-setting_same-account = 同一アカウント内のコピー: クロスアカウントバックアップの設定は適用されません
dx-setting_value = { $org } の管理アカウント { $management } で、isCrossAccountBackupEnabled は { $value } です
dx-support_alt-marketplace = イメージはコピー元アカウント内でのみコピーするか、コピー先アカウントで AWS Marketplace から製品を起動してください
dx-support_alt-multi-az = 代わりにマルチ AZ DB インスタンスまたはシングル AZ 配置をバックアップしてください。マルチ AZ DB クラスターはコピーできません
dx-support_alt-none = このコピーを可能にする設定はありません: サポートされているリージョンにコピーするか、アカウント内でコピーしてください
dx-support_lag-region = { $region } では、論理的にエアギャップされたボールトへのクロスリージョンコピーとクロスアカウントコピーは利用できません
dx-support_alt-lag-region = コピー元アカウントのコピー元リージョンにある論理的にエアギャップされたボールトへコピーするか、論理的にエアギャップされたボールトへのクロスリージョンコピーとクロスアカウントコピーが利用できるリージョンのボールトへコピーしてください
dx-support_alt-unknown = AWS の ResourceType 文字列のいずれかを使用してください: Aurora, CloudFormation, DocumentDB, DynamoDB, EBS, EC2, EFS, EKS, FSx, Neptune, RDS, Redshift, S3, SAP HANA on Amazon EC2, Storage Gateway, Timestream, VirtualMachine
dx-support_copy = { $resource_type } のコピー ({ $source_region } から { $destination_region }、{ $scope }、{ $as_of } 時点)
dx-support_dynamodb = アカウント { $account } の { $region } で、DynamoDB の高度な機能がオフになっています
dx-support_dynamodb-basic-backup = 復旧ポイント { $arn } は DynamoDB 自身のバックアップ (AWS Backup の ARN ではなく DynamoDB の ARN) で、DynamoDB 用の AWS Backup の高度な機能なしで作成されました。高度な機能は有効にした後に作成するバックアップにのみ適用されます
dx-support_dynamodb-needs-advanced = DynamoDB のコピーには、DynamoDB 用の AWS Backup の高度な機能が必要です
dx-support_marketplace = この EC2 イメージは AWS Marketplace から取得したものです
dx-support_multi-az = コピー元は RDS マルチ AZ DB クラスターです: マルチ AZ DB クラスターはコピーオペレーションをサポートしていません
dx-support_reason = サポートされていません: { $reason }
dx-support_row = 機能の可用性: クロスリージョン { $cr }、クロスアカウント { $ca }、単一のコピーアクション { $sa } ({ $confidence }; { $source })
dx-support_single-action = { $resource_type } は、{ $since } より前は、リージョン間とアカウント間のコピーを単一のコピーアクションで実行できません
dx-support_unknown-type = `{ $resource_type }` は copylab が認識しているリソースタイプではありません
dx-tags_copied = コピーによって書き込まれるタグ: { $tags }
dx-tags_backup-recovery-point = コピーは AWS Backup の復旧ポイントであり、タグポリシーは適用されません: AWS Backup で適用できるリソースタイプとして AWS が挙げているのは backup:backupPlan と backup:backupVault です
dx-tags_effective = コピー先アカウント { $account } の有効なタグポリシー: { $policy } (どのアカウントのポリシーが適用されるかは文書化されていません。copylab はコピー先のポリシーを採用しています: モデル化)
dx-tags_enforced-types = コピーはコピー先アカウントに { $types } を作成してタグを付けます: enforced_for がそのタイプ、またはそのサービスのすべてのタイプを指定している場合、ポリシーが適用されます
dx-tags_key-case = ポリシーが適用されるため、タグキー `{ $key }` は `{ $required }` と記述する必要があります
dx-tags_no-org = コピー先アカウント { $account } はどの組織にも属していません: タグポリシーは適用されません
dx-tags_no-policies = 組織 { $org } にはタグポリシーがありません
dx-tags_value = タグ `{ $key }` の値は `{ $value }` です。ここで適用されるポリシーで許可されている値: { $allowed }
dx-vault_decision = { $vault } に対する { $session } による backup:CopyIntoBackupVault (ボールト側): { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-vault_missing = コピー先ボールト { $vault } が存在しません (存在しないリソースに対して、AWS は AccessDenied を返します: コピージョブについてはモデル化)
dx-vault_no-policy = コピー先ボールト { $vault } にはアクセスポリシーがないため、他のアカウントはこのボールトにコピーできません
dx-vault_same-account = 同一アカウント内のコピー: コピーに使用するロールのアイデンティティベースのポリシーで十分です
dx-control_start-copy-job = コピー元アカウントの SCP のもとでの { $principal } による backup:StartCopyJob: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-control_none = 適用される SCP も RCP もありません: 関係するメンバーアカウントの組織で、どちらも有効になっていません
dx-control_scp-management = コピー元アカウント { $account } は組織の管理アカウントです: SCP はそのユーザーやロールに影響しません
dx-control_scp-service-linked-role = コピーのコピー先側の処理はコピー先アカウントのサービスリンクロールが行います。SCP はサービスリンクロールに影響しません
dx-control_rcp-vault = RCP はコピー先ボールトを制限しません: AWS Backup は RCP が適用されるサービスに含まれていません (AWS の一覧に挙がるのは Amazon S3、AWS STS、AWS KMS、Amazon SQS、AWS Secrets Manager などで、AWS Backup はありません。推論です)
dx-control_rcp-aws-managed = { $side } 側のキー { $key } は AWS マネージド KMS キーです: RCP は AWS マネージド KMS キーには適用されません
dx-control_rcp-management = { $side } 側のキー { $key } は管理アカウントにあります: RCP はそのリソースに影響しません
dx-control_rcp-service-linked-role = 前提: 拒否された呼び出し元はサービスリンクロールです。AWS はサービスリンクロールを RCP の対象外とするとは文書化していません (第三者の要約は対象外だとしています。そうであれば、このコピーは完了します)
dx-control_call = { $policies } のもとでの { $resource } に対する { $principal } による { $action }: { $outcome ->
        [Allow] 許可
        [ExplicitDeny] 明示的な拒否
       *[other] 暗黙的な拒否
    }{ $by ->
        [none] { "" }
       *[other] { " " }(ステートメント { $by })
    }{ $reason ->
        [none] { "" }
       *[other] { $reason }
    }
dx-remedy_control-condition = SCP を残し、このコピー先を許可してください: AWS の例では、許可するコピー先を backup:CopyTargets または backup:CopyTargetOrgPaths で指定するか、許可するボールトに DestinationBackupVault タグを付けます
dx-remedy_control-rcp-condition = RCP を残し、その条件でコピー先アカウントのプリンシパルを除外してください (たとえば aws:PrincipalOrgID または aws:PrincipalAccount で)
dx-remedy_control = 組織の管理アカウントで: { $changes }

# AWS の各メッセージの原因 (カタログの `cause`)。どの設定でも修正できない、拒否されたリクエストについて表示します。
cause-organization-membership = コピー元アカウントとコピー先アカウントが同じ AWS Organizations の組織に属していません
cause-single-action-not-supported = 2025 年後半の変更より前は、RDS、Aurora、DocumentDB、Neptune は、リージョン間とアカウント間のコピーを単一のコピーアクションで実行できませんでした
cause-feature-not-supported = リソースタイプがこのコピーをサポートしていません (クロスアカウント、クロスリージョン、オプトインリージョンまたはパーティションによる制限、高度な機能が有効になっていない DynamoDB、RDS マルチ AZ DB クラスター)
cause-destination-vault-default-key = コピー先ボールトが `aws/backup` を使用しており、リソースタイプが AWS Backup によるフルマネージドではありません
cause-default-vault-cross-account = AWS Backup がフルマネージドするリソースタイプを、別のアカウントの Default ボールト (`aws/backup` で暗号化) へコピーしています
cause-aws-managed-key-ami = EC2 イメージのスナップショットが AWS マネージド KMS キー `aws/ebs` で暗号化されています (AMI と EBS スナップショットでどの EC2 メッセージが表示されるかは、それぞれの発生元の EC2 API に基づいてモデル化しています)
cause-aws-managed-key-ebs = EBS スナップショットが AWS マネージド KMS キー `aws/ebs` で暗号化されています
cause-rds-source-key = RDS、Aurora、DocumentDB、または Neptune のスナップショットのキーが、AWS マネージド KMS キーであるか、無効になっているか、存在しません。または、そのキーポリシーでコピー先アカウントが許可されていません
cause-ami-key-not-accessible = EC2 イメージのキーが無効になっているか、そのキーポリシーで、コピー先アカウントによるキーの参照 (DescribeKey) と使用が許可されていません
cause-ebs-key-not-accessible = EBS スナップショットのキーが無効になっているか、そのキーポリシーで、コピー先アカウントによるキーの使用が許可されていません
cause-vault-access-denied = コピー先のボールトアクセスポリシー、またはコピーに使用するロールのアイデンティティベースのポリシーで、`backup:CopyIntoBackupVault` が許可されていません
cause-tag-copy-internal-failure = モデル化: コピー先アカウントで適用されているタグポリシーが、コピーされたタグキーの大文字と小文字の使い分けを許可していません (ナレッジセンターはこのメッセージをタグポリシーに関連付けていますが、正確な発生条件は文書化されていません)
cause-tag-copy-recovery-point-unavailable = 挿入された障害: `recovery-point-unavailable-for-tags`
cause-tag-policy-value = モデル化: コピー先アカウントの有効なタグポリシーが、コピーによって作成されるリソース (EBS スナップショット、AMI、RDS または FSx のスナップショット) に適用されており、コピーされたタグの値が許可されていません
cause-cross-account-disabled = 組織の管理アカウントで `isCrossAccountBackupEnabled` がオフになっています
cause-not-authorized = 挿入された障害: `not-authorized` (コピージョブでこのメッセージが発生する設定は文書化されていません)
cause-s3-bucket-versioning-permission = 挿入された障害: `s3-bucket-versioning-permission` (copylab がモデル化していない S3 のアクセス許可)
cause-marketplace-image = AWS Marketplace から取得した EC2 イメージが別のアカウントにコピーされました
cause-too-many-copy-jobs = 挿入された障害: `too-many-copy-jobs` (同時実行数の上限)
cause-retention-out-of-range = コピーの保持期間が、コピー先ボールトのボールトロック (または論理的にエアギャップされたボールト) の最小保持期間と最大保持期間の範囲外です
cause-lag-aws-managed-source-key = AWS Backup がフルマネージドしないリソースタイプが AWS マネージド KMS キーで暗号化されたまま、論理的にエアギャップされたボールトへコピーされました (どのアカウント、どのリージョンでも)
cause-lag-unencrypted-cluster = 暗号化されていない Aurora、DocumentDB、または Neptune のクラスタースナップショットが、論理的にエアギャップされたボールトへコピーされました
cause-lag-copy-out-needs-cmk = 論理的にエアギャップされたボールトから、キーが AWS マネージド (`aws/backup`) の標準のバックアップボールトへのコピー
cause-kms-key-disabled-or-denied = モデル化: コピー先ボールトのキーが無効になっているか、削除保留中であるか、そのキーポリシーが、AWS Backup がコピーを書き込むためのリクエストを拒否しています
cause-key-does-not-exist = モデル化: EBS または EC2 の復旧ポイントが、この構成に存在しないキーを指定しています
cause-storage-gateway-vault-key = Storage Gateway の復旧ポイントが、AWS マネージド KMS キー `aws/backup` を使用するボールトにコピーされました
cause-internal-error = 挿入された障害: `internal-error`
cause-fatal-error-contact-support = 挿入された障害: `fatal-error-contact-support`
cause-fatal-error = 挿入された障害: `fatal-error`
cause-role-cannot-be-assumed = コピーに使用するロールが存在しないか、その信頼ポリシーで、backup.amazonaws.com によるロールの引き受けが許可されていません
cause-rds-option-group = モデル化されていません: コピー先リージョンに一致するオプショングループがない、RDS のクロスリージョンコピー
cause-ami-storage-permission = 挿入された障害: `ami-storage-permission` (論理的にエアギャップされたボールトへのコピー中に、自動修復によって AMI の起動許可またはボリュームのアクセス許可が取り消されました)
cause-source-ami-not-found = モデル化されていません: `aws-backup-vault` エイリアスを含まない、EC2 の許可された AMI の設定
cause-missing-parameter = `StartCopyJob` の必須メンバーがありません
cause-source-vault-inaccessible = 呼び出し元のアカウントとリージョンにコピー元ボールトが存在しません
cause-recovery-point-not-found = 復旧ポイントがコピー元ボールトにありません
cause-recovery-point-not-copyable = 復旧ポイントがコールドストレージにあるか、継続的バックアップであるか、ステータスが COMPLETED ではありません
cause-lifecycle-retention-range = コピーの `DeleteAfterDays` が 0、-1 未満、または 36,500 日を超えています
cause-lifecycle-cold-storage-gap = コピーがコールドストレージへ移ってから削除されるまでが 90 日未満です
cause-invalid-parameter = `StartCopyJob` のメンバーが、想定される種類の有効な ARN ではありません
cause-unshare-snapshot-failed = モデル化: スナップショット (AWS Backup がフルマネージドしないリソースタイプ) のクロスアカウントコピーの実行中に、コピーに使用するロールが削除されました。コピーのデータは届いているため、コピー先の復旧ポイントは残り、ジョブはこのメッセージで FAILED になります (そのとき AWS が示す状態は文書化されていません)
cause-control-policy-denied-backup = モデル化: コピー元アカウントの SCP が、コピーに使用するロールに `backup:CopyFromBackupVault` または `backup:CopyIntoBackupVault` を拒否しています
cause-control-policy-denied-key = モデル化: キーのアカウントの RCP が、コピー元のキーまたはコピー先ボールトのキーに対してコピーが行う呼び出しを拒否しています
cause-scp-explicit-deny = コピー元アカウントの SCP が、呼び出し元に `backup:StartCopyJob` を拒否しています
cause-scp-implicit-deny = ルートからコピー元アカウントまでのいずれかの階層で、`backup:StartCopyJob` を許可する SCP がアタッチされていません
